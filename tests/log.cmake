tx_add_test(test_merkle SOURCES test_merkle.c LIBS tx_keys tx_common)
