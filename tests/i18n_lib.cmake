# Japanese in the libraries and the hub: certificate reasons and the inbox in this process with
# Japanese chosen, every ticsx-hub usage text with LANG=ja_JP.UTF-8, and ticsx-hub run's log
# lines and usage errors staying English under the same LANG.
tx_add_test(test_i18n_lib SOURCES test_i18n_lib.c
            LIBS tx_test_chain tx_test_harness tx_client PkgConfig::JANSSON TIMEOUT 120)
# The catalogue in the build tree, and the hub binary it runs.
add_dependencies(test_i18n_lib tx_catalogue ticsx-hub)
