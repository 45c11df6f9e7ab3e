/* lwIP's operating-system types on stubos kernel primitives (lib/lwip/sys_arch.c).
 * Threads are cooperative on one vCPU (see <minios/sched.h>), so lwIP's
 * "protection" only has to keep event upcalls out, and a semaphore is the
 * kernel's counting semaphore. */
#ifndef STUBOS_LWIP_ARCH_SYS_ARCH_H
#define STUBOS_LWIP_ARCH_SYS_ARCH_H

struct semaphore;
struct mutex;
struct thread;
struct stubos_mbox;

typedef struct {
    struct semaphore *sem;
} sys_sem_t;
typedef struct {
    struct mutex *mutex;
} sys_mutex_t;
typedef struct {
    struct stubos_mbox *mbox;
} sys_mbox_t;
typedef struct thread *sys_thread_t;
typedef unsigned long sys_prot_t; /* saved event-delivery flag */

#define sys_sem_valid(s) ((s) != NULL && (s)->sem != NULL)
#define sys_sem_set_invalid(s) ((s)->sem = NULL)
#define sys_mutex_valid(m) ((m) != NULL && (m)->mutex != NULL)
#define sys_mutex_set_invalid(m) ((m)->mutex = NULL)
#define sys_mbox_valid(m) ((m) != NULL && (m)->mbox != NULL)
#define sys_mbox_set_invalid(m) ((m)->mbox = NULL)

#endif
