/* The daemon: libevent loop for the listeners (syslog UDP/TCP/TLS, JSON
 * lines over TCP, Prometheus metrics), worker threads that parse, graceful
 * stop on SIGTERM/SIGINT (drains accepted input), SIGHUP reloads the
 * configuration. */
#ifndef KY_NODE_SERVE_H
#define KY_NODE_SERVE_H

#include "base/err.h"

struct ky_config;

/* Runs until SIGTERM/SIGINT.  cfg->home is the node directory.  Returns 0
 * after a clean stop. */
int ky_serve_run(struct ky_config *cfg, struct ky_err *err);

#endif
