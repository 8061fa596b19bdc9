/* bs_port_config.h: memory layout and sizes of the host port (a Linux process posing as a device). */
#ifndef BS_PORT_CONFIG_H
#define BS_PORT_CONFIG_H

/*
 * Regions mapped at fixed addresses below 4 GB; the code region is executable. Their sizes are
 * defaults: `bscript --memory heap=16M ...` builds an image with other sizes (-DBS_PORT_HEAP_KIB=...),
 * up to 4 MiB of code, 4 MiB of data and 248 MiB of heap (where each next region starts).
 */
#ifndef BS_PORT_CODE_KIB
#define BS_PORT_CODE_KIB 1024 /* 1 MiB */
#endif
#ifndef BS_PORT_DATA_KIB
#define BS_PORT_DATA_KIB 256
#endif
#ifndef BS_PORT_HEAP_KIB
#define BS_PORT_HEAP_KIB 1024 /* 1 MiB */
#endif

#define BS_CODE_BASE 0x20000000u
#define BS_CODE_SIZE (BS_PORT_CODE_KIB * 1024u)
#define BS_DATA_BASE 0x20400000u
#define BS_DATA_SIZE (BS_PORT_DATA_KIB * 1024u)
#define BS_HEAP_BASE 0x20800000u
#define BS_HEAP_SIZE (BS_PORT_HEAP_KIB * 1024u)

/* Memory is plentiful: one-byte strings are ready-made, and the collector's mark stack holds 16384
   objects (64 KB), so that marking large structures seldom falls back on rescanning the heap
   (bs_config.h). */
#define BS_GC_MARK_STACK_SIZE 16384u
#define BS_CHAR_STRINGS 256

/* Timers and the event buffer (bs_config.h): more of both than a small board has. */
#define BS_TIMERS_MAX 64u
#define BS_EVENT_QUEUE 64u
#define BS_EVENT_BUFFER 8192u

#endif
