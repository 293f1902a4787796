# Lets groff (which breaks lines only at blanks) break Japanese text: a zero-width break
# point between Japanese characters. Applied to the built Japanese pages by scdoc.cmake with
# LC_ALL=C, so the bracket expressions below match bytes of UTF-8; then ja-join.sed.
# Requests and literal blocks stay as they are.
/^\.nf$/,/^\.fi$/b
/^\./b
# A zero-width break point after every kana, kanji and CJK punctuation (lead byte E3-E9)...
s/\([\xe3-\xe9][\x80-\xbf][\x80-\xbf]\)/\1\\:/g
# ...but none before closing punctuation and the long vowel mark, nor after an opening bracket.
s/\\:\(、\|。\|」\|』\|・\|ー\|）\|：\|，\|ぁ\|ぃ\|ぅ\|ぇ\|ぉ\|っ\|ゃ\|ゅ\|ょ\|ァ\|ィ\|ゥ\|ェ\|ォ\|ッ\|ャ\|ュ\|ョ\)/\1/g
s/\(「\|『\)\\:/\1/g
