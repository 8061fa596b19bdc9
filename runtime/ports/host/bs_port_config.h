/* bs_port_config.h: memory layout and sizes of the host port (a Linux process posing as a device). */
#ifndef BS_PORT_CONFIG_H
#define BS_PORT_CONFIG_H

/* Regions mapped at fixed addresses below 4 GB; the code region is executable. */
#define BS_CODE_BASE 0x20000000u
#define BS_CODE_SIZE 0x00100000u /* 1 MiB */
#define BS_DATA_BASE 0x20400000u
#define BS_DATA_SIZE 0x00040000u /* 256 KiB */
#define BS_HEAP_BASE 0x20800000u
#define BS_HEAP_SIZE 0x00100000u /* 1 MiB */

/* Memory is plentiful: one-byte strings are ready-made (bs_config.h). */
#define BS_CHAR_STRINGS 1

#endif
