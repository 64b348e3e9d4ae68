/*
 * TLP marking definitions, recognised by id only (domain brief §2): the
 * five TLP 2.0 objects published by OASIS and the four TLP 1.0 objects of
 * STIX 2.1 §7.2.1.4.  A marking whose name says "TLP:..." but whose id is
 * not one of these is not a TLP marking.
 */
#include "share/share.h"

#include <string.h>

#include "util/banned.h"

static const struct {
    const char *id;
    enum share_tlp tlp;
} tlp_ids[] = {
    {"marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487", SHARE_TLP_CLEAR},
    {"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb", SHARE_TLP_GREEN},
    {"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421", SHARE_TLP_AMBER},
    {"marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003", SHARE_TLP_AMBER_STRICT},
    {"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1", SHARE_TLP_RED},
    {"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9", SHARE_TLP_CLEAR}, /* 1.0 WHITE */
    {"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da", SHARE_TLP_GREEN},
    {"marking-definition--f88d31f6-486f-44da-b317-01333bde0b82", SHARE_TLP_AMBER},
    {"marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed", SHARE_TLP_RED},
};

enum share_tlp share_tlp_of(const char *id)
{
    if (!id || strncmp(id, "marking-definition--", 20) != 0)
        return SHARE_TLP_NONE;
    for (size_t i = 0; i < sizeof(tlp_ids) / sizeof(tlp_ids[0]); i++)
        if (strcmp(id, tlp_ids[i].id) == 0)
            return tlp_ids[i].tlp;
    return SHARE_TLP_NONE;
}

const char *share_tlp_name(enum share_tlp t)
{
    static const char *names[] = {"none", "TLP:CLEAR", "TLP:GREEN", "TLP:AMBER",
                                  "TLP:AMBER+STRICT", "TLP:RED"};
    return (unsigned)t < sizeof(names) / sizeof(names[0]) ? names[t] : "?";
}

const char *share_tlp_id(enum share_tlp t)
{
    for (size_t i = 0; i < sizeof(tlp_ids) / sizeof(tlp_ids[0]); i++)
        if (tlp_ids[i].tlp == t)
            return tlp_ids[i].id; /* the TLP 2.0 ids come first */
    return NULL;
}
