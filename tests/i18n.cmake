# The Japanese catalogue: every string the code marks (and every tx_fail message) has a
# translation in po/ja.po, none fuzzy, and msgfmt --check accepts it.
add_test(NAME test_po COMMAND ${TX_PO_CHECK_COMMAND})
