/*
 * Logging: printf-checked macros that test the level before formatting.
 * A line is: time, level, module, message (with key=value context).
 * Never log passwords, tokens, Authorization headers or object contents.
 */
#ifndef CONCORD_UTIL_LOG_H
#define CONCORD_UTIL_LOG_H

enum log_level { LOG_ERROR = 0, LOG_WARN, LOG_NOTICE, LOG_INFO, LOG_DEBUG };

/* Set once at start-up by main (the only process-wide setting). */
void log_set_level(enum log_level lvl);
enum log_level log_get_level(void);
void log_write(enum log_level lvl, const char *module, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define LOG_AT(lvl, mod, ...)                                                                     \
    do {                                                                                          \
        if ((lvl) <= log_get_level())                                                            \
            log_write((lvl), (mod), __VA_ARGS__);                                                 \
    } while (0)
#define log_error(mod, ...) LOG_AT(LOG_ERROR, mod, __VA_ARGS__)
#define log_warn(mod, ...) LOG_AT(LOG_WARN, mod, __VA_ARGS__)
#define log_notice(mod, ...) LOG_AT(LOG_NOTICE, mod, __VA_ARGS__)
#define log_info(mod, ...) LOG_AT(LOG_INFO, mod, __VA_ARGS__)
#define log_debug(mod, ...) LOG_AT(LOG_DEBUG, mod, __VA_ARGS__)

#endif
