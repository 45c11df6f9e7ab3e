/* The xenbus handshake every frontend driver performs, in one place.
 *
 * A PV device appears in xenstore as two directories: ours (the frontend,
 * e.g. device/vif/0) and the backend's in the driver domain (its path is in
 * our "backend" node, its domain in "backend-id"). Each side has a "state"
 * node (enum xenbus_state, <xen/io/xenbus.h>). The frontend allocates its
 * rings, grants them to the backend, binds an event channel, publishes the
 * ring references and the port in one transaction, switches to Connected
 * and waits for the backend to be Connected too. Tear-down goes through
 * Closing and Closed on both sides.
 *
 * The backend is untrusted: its node values are parsed strictly and its
 * state changes are only ever a reason to re-read, never to follow a
 * pointer. All calls need thread context; results are 0 or negative errno. */
#ifndef MINIOS_FRONTEND_H
#define MINIOS_FRONTEND_H

#include <minios/types.h>
#include <minios/xen.h>
#include <minios/xenbus.h>
#include <xen/io/xenbus.h>

#define FRONTEND_PATH_MAX 96

struct frontend {
    char node[FRONTEND_PATH_MAX];    /* ours, e.g. "device/vif/0" */
    char backend[FRONTEND_PATH_MAX]; /* "/local/domain/0/backend/vif/5/0" */
    domid_t backend_id;
    char token[32];                  /* our watch token on the backend state */
    struct xenbus_event_queue events;
    bool watching;
};

/* List the device ids under device/<type> (e.g. "vif"): up to max ids in
 * ascending order. Returns how many, 0 if there are none. */
int frontend_list(const char *type, unsigned *ids, unsigned max);

/* Read backend and backend-id for device/<type>/<id>, check that the
 * backend exists and watch its state. */
int frontend_open(struct frontend *fe, const char *type, unsigned id);

/* Read a node below our own / the backend's directory. */
int frontend_read(struct frontend *fe, const char *key, char **value);
int frontend_read_backend(struct frontend *fe, const char *key, char **value);
int frontend_read_backend_int(struct frontend *fe, const char *key, long *value);

/* The backend's state (XenbusStateUnknown if unreadable). */
XenbusState frontend_backend_state(struct frontend *fe);

/* Wait until the backend reaches one of the states in the mask
 * (1 << XenbusStateX ...) or deadline_ns passes (-ETIMEDOUT). *state gets
 * the state seen. */
int frontend_wait_backend(struct frontend *fe, unsigned state_mask, uint64_t deadline_ns,
                          XenbusState *state);

/* Run publish(xbt, arg) to write our ring refs and ports, and switch our
 * state to new_state, in one transaction (retried on conflicts). */
int frontend_publish(struct frontend *fe, int (*publish)(struct frontend *fe,
                                                         xenbus_transaction_t xbt, void *arg),
                     void *arg, XenbusState new_state);

int frontend_set_state(struct frontend *fe, XenbusState state);

/* Orderly disconnect: Closing, wait (bounded) for the backend to close,
 * then Closed; stops watching. Safe to call on a half-opened frontend. */
void frontend_close(struct frontend *fe);

#endif
