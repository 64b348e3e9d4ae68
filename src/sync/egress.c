/*
 * sync/egress.c: what may leave this node for a peer.  Egress to a peer
 * is a read by the peer's organisation (share_ctx_may_read, and
 * share_ctx_emit for the redacted copy), plus the re-sharing rules of
 * docs/architecture.md "The sharing model":
 *
 *   - no echo: an object whose origin is the peer's organisation (it came
 *     from there) or that the peer's organisation created is not sent back;
 *   - what another node delivered (origin = the organisation operating any
 *     peer) travels on only as TLP:CLEAR or TLP:GREEN; TLP:AMBER,
 *     AMBER+STRICT, RED and unmarked objects (the node default is AMBER)
 *     never do.  Marking and extension definitions without TLP are the
 *     vocabulary needed to read the rest and may travel on.
 *
 * Loops in a mesh end because a version already stored is "already added"
 * and gets no new date_added, so it is never pushed twice.
 */
#include "sync/sync.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "share/share.h"
#include "util/xalloc.h"
#include "util/banned.h"

static int add_node_org(void *ctx, const struct store_peer *p)
{
    struct sync_egress *e = ctx;
    for (size_t i = 0; i < e->n_node_orgs; i++)
        if (e->node_orgs[i] == p->org_id)
            return 0;
    e->node_orgs = xrealloc(e->node_orgs, (e->n_node_orgs + 1) * sizeof(*e->node_orgs));
    e->node_orgs[e->n_node_orgs++] = p->org_id;
    return 0;
}

int sync_egress_init(struct sync_egress *e, struct store *s, int64_t peer_org)
{
    memset(e, 0, sizeof(*e));
    e->peer_org = peer_org;
    struct store_org o;
    if (store_org_get_id(s, peer_org, &o) == 0)
        snprintf(e->peer_identity, sizeof(e->peer_identity), "%s", o.identity_id);
    return store_peer_list(s, add_node_org, e);
}

void sync_egress_release(struct sync_egress *e)
{
    free(e->node_orgs);
    memset(e, 0, sizeof(*e));
}

bool sync_egress_is_node_org(const struct sync_egress *e, int64_t org)
{
    for (size_t i = 0; org != 0 && i < e->n_node_orgs; i++)
        if (e->node_orgs[i] == org)
            return true;
    return false;
}

bool sync_egress_third_party(const struct sync_egress *e, const struct store_row *row)
{
    return sync_egress_is_node_org(e, row->origin_org);
}

static bool is_vocabulary(const struct store_row *row)
{
    return row->tlp == SHARE_TLP_NONE && (strcmp(row->type, "marking-definition") == 0 ||
                                          strcmp(row->type, "extension-definition") == 0);
}

static bool contains(const char *body, size_t len, const char *s);

/*
 * A sharing group counts only when delivered by its creator (share/
 * context.c), and a marking definition is stored once: relayed by a third
 * node, it would arrive first from the wrong hands and never count.
 */
static bool relayed_group(const struct sync_egress *e, const struct store_row *row)
{
    return sync_egress_third_party(e, row) &&
           contains(row->body, row->body_len, SHARE_GROUP_EXTENSION);
}

bool sync_egress_reshare_ok(const struct sync_egress *e, const struct store_row *row)
{
    if (row->origin_org == e->peer_org || !sync_egress_third_party(e, row))
        return true;
    if (relayed_group(e, row))
        return false;
    return is_vocabulary(row) || row->tlp == SHARE_TLP_CLEAR || row->tlp == SHARE_TLP_GREEN;
}

bool sync_egress_allows(const struct sync_egress *e, struct share_ctx *c,
                        const struct store_row *row)
{
    if (row->origin_org == e->peer_org)
        return false;
    if (row->created_by && e->peer_identity[0] && strcmp(row->created_by, e->peer_identity) == 0)
        return false;
    if (!sync_egress_reshare_ok(e, row))
        return false;
    return share_ctx_may_read(c, row);
}

/* Does body[0..len) contain s? */
static bool contains(const char *body, size_t len, const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; n && i + n <= len; i++)
        if (body[i] == s[0] && memcmp(body + i, s, n) == 0)
            return true;
    return false;
}

bool sync_egress_whole(const struct sync_egress *e, const struct store_row *row)
{
    return strcmp(row->type, "marking-definition") == 0 && e->peer_identity[0] &&
           contains(row->body, row->body_len, e->peer_identity);
}
