# Joins a source line that ends in Japanese to the next when that one starts in Japanese, and
# one that ends in Japanese punctuation to any next text line, without the blank groff would
# put between them (after ja-breaks.sed, LC_ALL=C).
$!N
/\(\\:\|[\xef][\xbc-\xbd][\x80-\xbf]\)\n[\xe3-\xe9\xef]/s/\n/\\c\n/
/\(。\|、\|」\|）\|：\)\(\\:\)\?\n[^.]/s/\n/\\c\n/
P
D
