/* bs_class.c: the table of class names used by print and string conversion ("<class NAME>"). */
#include <string.h>

#include "bs.h"
#include "bs_class.h"
#include "bs_config.h"

static const char *class_names[BS_MAX_CLASSES];

void bs_class_set_name(uint32_t class_id, const char *name) {
    if (class_id < BS_MAX_CLASSES)
        class_names[class_id] = name;
}

const char *bs_class_name(uint32_t class_id) {
    if (class_id == BS_CLASS_STRING)
        return "string";
    return class_id < BS_MAX_CLASSES ? class_names[class_id] : NULL;
}

void bs_class_reset(void) { memset(class_names, 0, sizeof class_names); }
