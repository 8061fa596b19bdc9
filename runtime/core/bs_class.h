/* bs_class.h: the class table's runtime side: names for printing and RESET (the table and bs_class_define are in bs.h). */
#ifndef BS_CLASS_H
#define BS_CLASS_H

#include <stdint.h>

/* The printable name of `class_id` from its descriptor, or NULL when it has none. */
const char *bs_class_name(uint32_t class_id);

/* Forgets every class defined by loaded code (RESET); the built-in descriptors stay. */
void bs_class_reset(void);

#endif
