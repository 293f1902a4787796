# The hub's metrics page and log formats: the real ticsx-hub with --metrics on a free loopback
# port, real submits, /metrics, /healthz and /readyz scraped over a real socket (and checked by
# `promtool check metrics` when the Debian package prometheus is installed); the hub run with
# --log-format json and logfmt, every line it wrote parsed.
tx_add_test(test_hub_metrics SOURCES test_hub_metrics.c LIBS tx_test_harness TIMEOUT 180)
add_dependencies(test_hub_metrics ticsx-hub tx_sync_shim)
