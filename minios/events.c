/* Event channels (placeholder until the full 2-level implementation):
 * acknowledge and drop everything so a stray notification cannot storm. */
#include <minios/arch.h>

void events_upcall(void)
{
    volatile struct vcpu_info *v = &shared_info->vcpu_info[0];
    v->evtchn_upcall_pending = 0;
    unsigned long sel = arch_xchg(&v->evtchn_pending_sel, 0);
    while (sel) {
        unsigned word = __builtin_ctzl(sel);
        sel &= sel - 1;
        arch_xchg(&shared_info->evtchn_pending[word], 0);
    }
}
