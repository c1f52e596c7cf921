# Flattens JSON for upload-flow.sh, in the POSIX awk of BusyBox (the curl image has no jq).
# Input: one JSON token per line, as `grep -o -E` of upload-flow.sh `json_tokens` cuts them:
# a string (with its quotes and escapes), a number or literal, or one of { } [ ] : ,
# Output: one line per scalar value, `<path><TAB><value>`, the path in jq's dotted form
# (`.processGroupFlow.flow.processGroups[0].component.name`), a string's value without its
# quotes and with its escapes as written (names and identifiers of NiFi have none).
function unquote(t) {
  if (substr(t, 1, 1) == "\"") return substr(t, 2, length(t) - 2)
  return t
}
function here() {
  if (depth == 0) return ""
  if (kind[depth] == "o") return prefix[depth] "." key[depth]
  return prefix[depth] "[" index_[depth] "]"
}
BEGIN { depth = 0; want = "value" }
{
  t = $0
  sub(/^[ \t\r]+/, "", t)
  sub(/[ \t\r]+$/, "", t)
  if (t == "") next
  if (t == "{" || t == "[") {
    p = here()
    depth++
    prefix[depth] = p
    if (t == "{") { kind[depth] = "o"; want = "key" } else { kind[depth] = "a"; index_[depth] = 0; want = "value" }
  } else if (t == "}" || t == "]") {
    depth--
    want = "after"
  } else if (t == ",") {
    if (kind[depth] == "a") { index_[depth]++; want = "value" } else want = "key"
  } else if (t == ":") {
    want = "value"
  } else if (want == "key" && kind[depth] == "o") {
    key[depth] = unquote(t)
  } else {
    print here() "\t" unquote(t)
    want = "after"
  }
}
