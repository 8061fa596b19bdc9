/* bs_class.h: the printable names of class ids (bs_class_set_name is declared in bs.h). */
#ifndef BS_CLASS_H
#define BS_CLASS_H

#include <stdint.h>

/* The name recorded for `class_id`, or NULL. */
const char *bs_class_name(uint32_t class_id);

/* Forgets every name recorded by loaded code (RESET). */
void bs_class_reset(void);

#endif
