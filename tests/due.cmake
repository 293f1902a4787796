# Deadlines and campaigns through the real ticsx and ticsx-hub binaries: `ticsx due` for a buyer
# and its suppliers (overdue requests, what to answer, validity and periodic reports ending,
# exit 1 when overdue), `request --every` and `campaign run` sending once per period, the
# response rate.
tx_add_test(test_due SOURCES test_due.c LIBS tx_test_harness PkgConfig::JANSSON TIMEOUT 300)
add_dependencies(test_due ticsx ticsx-hub)
