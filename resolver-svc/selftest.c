/*  =========================================================================
    selftest - runs one resolver-svc selftest, or all of them

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    depot_resolver_selftest [class]: one ctest per class, named
    dp_resolver_<class>. Files without a selftest of their own name, in
    their header, the test that covers them.
@end
*/
#include "dp_resolver_actor.h"
#include "dp_exec.h"
#include "dp_plan.h"
#include "dp_filters.h"
#include "dp_enums.h"
#include "dp_tag_rules.h"
#include "dp_mut_shipment_receive.h"
#include "dp_computed.h"
#include "dp_cube.h"
#include "dp_cube_access.h"
#include "dp_writer.h"
#include "dp_db_links.h"
#include "dp_link_watch.h"
#include "dp_page.h"
#include "dp_box_filter.h"
#include "dp_exec_cache.h"
#include "dp_base64.h"
#include "dp_send.h"
#include "dp_authz.h"
#include "dp_box_access.h"
#include "dp_history.h"
#include "dp_shipment_rules.h"
#include "dp_mut_beneficiary.h"
#include "dp_datetime_input.h"
#include "dp_link_data.h"
#include "dp_idem.h"
#include "dp_history_entry.h"
#include "dp_log.h"
#include "dp_selftest.h"
#include <stdlib.h>

static const dp_selftest_t s_tests [] = {
    { "base64", dp_base64_test },
    { "send", dp_send_test },
    { "authz", dp_authz_test },
    { "enums", dp_enums_test },
    { "tag_rules", dp_tag_rules_test },
    { "shipment_completion", dp_shipment_completion_test },
    { "filters", dp_filters_test },
    { "box_filter", dp_box_filter_test },
    { "box_access", dp_box_access_test },
    { "computed", dp_computed_test },
    { "history_entry", dp_history_entry_test },
    { "cube", dp_cube_test },
    { "cube_access", dp_cube_access_test },
    { "page", dp_page_test },
    { "plan", dp_plan_test },
    { "exec_cache", dp_exec_cache_test },
    { "exec_write", dp_exec_write_test },
    { "exec_mutation", dp_exec_mutation_test },
    { "idem", dp_idem_test },
    { "writer", dp_writer_test },
    { "options", dp_resolver_options_test },
    { "actor", dp_resolver_actor_test },
    { "db_links", dp_db_links_test },
    { "link_watch", dp_link_watch_test },
    { "history", dp_history_test },
    { "shipment_rules", dp_shipment_rules_test },
    { "mut_beneficiary", dp_mut_beneficiary_test },
    { "datetime_input", dp_datetime_input_test },
    { "link_data", dp_link_data_test },
};

int
main (int argc, char *argv [])
{
    const char *only = argc > 1 ? argv [1] : NULL;
    bool verbose = getenv ("DEPOT_TEST_VERBOSE") != NULL;
    dp_log_init ("resolver-test", verbose ? DP_LOG_DEBUG : DP_LOG_WARN);
    return dp_selftest_run (s_tests, sizeof s_tests / sizeof s_tests [0], only, verbose);
}
