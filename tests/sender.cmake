# The sender's side: the readers' limits applied before signing, from the one table that the
# decoder reads too, every limit in it tested.
tx_add_test(test_limits SOURCES test_limits.c LIBS tx_client TIMEOUT 120)
