/* bs_port_config.h for the device fuzz harness (fuzz_device.c): the host port's region bases, so
   that frames recorded from real sessions load where they did, with smaller sizes, so that frames
   reach the regions' ends. The harness maps each region between two inaccessible pages. */
#ifndef BS_PORT_CONFIG_H
#define BS_PORT_CONFIG_H

#define BS_CODE_BASE 0x20000000u
#define BS_CODE_SIZE (64u * 1024u)
#define BS_DATA_BASE 0x20400000u
#define BS_DATA_SIZE (16u * 1024u)
#define BS_HEAP_BASE 0x20800000u
#define BS_HEAP_SIZE (32u * 1024u)
#define BS_GC_STACK_SCRUB 256u

#endif
