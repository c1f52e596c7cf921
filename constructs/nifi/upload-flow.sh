# Uploads a NiFi flow definition as a process group of the root group, unless a group of that
# name exists already, enables its controller services and starts it. POSIX sh with curl,
# grep, awk and date (the curl image: BusyBox). Idempotent: a rerun finds the group and only
# enables and starts it again, which NiFi treats as a no-op for what already runs.
#
# Environment: NIFI_URL (https://host:8443), NIFI_USER, NIFI_PASSWORD, CA_FILE (PEM CA of NiFi's
# certificate), FLOW_FILE (the flow definition JSON), GROUP_NAME, POSITION_X, POSITION_Y,
# CLIENT_ID, JSON_PATHS_AWK (json-paths.awk), WAIT_SECONDS (deadline for the whole run), WORK_DIR.
#
# The NiFi REST API used, as in apache/nifi tag rel/nifi-2.9.0,
# nifi-framework-bundle/nifi-framework/nifi-web/nifi-web-api/src/main/java/org/apache/nifi/web/api/:
# - AccessResource.java `createAccessToken`: POST /access/token, form fields `username` and
#   `password` (@Consumes application/x-www-form-urlencoded), 201 with the JWT as text/plain;
#   blank or wrong credentials: IllegalArgumentException, which IllegalArgumentExceptionMapper
#   answers 400; a plain-HTTP request: 409. The token is sent as `Authorization: Bearer`; CSRF
#   protection applies only to requests that carry the bearer cookie (nifi-web-security
#   csrf/CsrfCookieRequestMatcher.java), which curl does not keep here.
# - FlowResource.java `getFlow`: GET /flow/process-groups/{id}, `root` is an alias of the root
#   group (nifi-framework-core StandardFlowManager: allProcessGroups.put(ROOT_GROUP_ID_ALIAS, ...));
#   200 with a ProcessGroupFlowEntity: `processGroupFlow.id`, `processGroupFlow.flow.processGroups[]`
#   (ProcessGroupEntity: `id`, `component.name`).
# - ProcessGroupResource.java `uploadProcessGroup`: POST /process-groups/{id}/process-groups/upload,
#   multipart form fields `groupName`, `positionX`, `positionY`, `clientId` (each required:
#   IllegalArgumentException, 400, when blank or missing), `file` (the flow definition; JSON that
#   does not deserialize to a RegisteredFlowSnapshot: 400); 201 with the new ProcessGroupEntity
#   (`id`), named `groupName` (importProcessGroup: `setName(groupName)`).
# - FlowResource.java `activateControllerServices`: PUT /flow/process-groups/{id}/controller-services
#   with an ActivateControllerServicesEntity `{"id": id, "state": "ENABLED"}` (the body's id must
#   equal the path's, else 400); without `components` NiFi enables every disabled service of the
#   group and its descendants that is valid, or invalid only for other disabled services
#   (`isControllerServiceNodeEligibleForEnabling`); enabling is asynchronous, so a service that
#   needs another (Kafka's needs the SSL context) may need a second request.
# - FlowResource.java `getControllerServicesFromGroup`: GET /flow/process-groups/{id}/controller-services
#   ?includeAncestorGroups=false&includeDescendantGroups=true: `controllerServices[].component.state`
#   (ControllerServiceDTO: ENABLED, ENABLING, DISABLED, DISABLING).
# - FlowResource.java `scheduleComponents`: PUT /flow/process-groups/{id} with a
#   ScheduleComponentsEntity `{"id": id, "state": "RUNNING"}` (same id rule); 200. It does not
#   check validity (StandardProcessorNode `verifyCanStart` checks only the state): an invalid
#   processor is scheduled and runs once valid, so NifiFlowBuilder checks relationships at synthesis.
# Answers other than those: 409 (IllegalStateException, e.g. a cluster not ready for changes) and
# 503 or no answer while NiFi starts are retried until the deadline.
set -eu
umask 077
api="$NIFI_URL/nifi-api"
work="$WORK_DIR"
mkdir -p "$work"
deadline=$(( $(date +%s) + WAIT_SECONDS ))

# The JSON tokens of file $1, one per line: strings, numbers and literals, and { } [ ] : ,
json_tokens() {
  grep -o -E '"([^"\\]|\\.)*"|[][{}:,]|[^][{}:,"[:space:]]+' "$1"
}
# Scalar values of the JSON file $1 as `<path><TAB><value>` lines (json-paths.awk).
json_paths() {
  json_tokens "$1" | awk -f "$JSON_PATHS_AWK"
}
# The value at path $2 in the JSON file $1 (empty when absent).
json_get() {
  json_paths "$1" | awk -F '\t' -v p="$2" '$1 == p { print $2; exit }'
}

# Sleeps before the next attempt, or fails with $1 when the deadline has passed.
again() {
  if [ "$(date +%s)" -ge "$deadline" ]; then
    echo "$1 within $WAIT_SECONDS s (last answer: HTTP $code)" >&2
    cat "$work/body" "$work/curl.err" >&2 2>/dev/null || true
    exit 1
  fi
  sleep 5
}

# call METHOD PATH [CURL ARGS...]: the request with the token; the body goes to $work/body,
# the HTTP status (000: no answer) to $code.
call() {
  method=$1 path=$2
  shift 2
  code=$(curl -sS --cacert "$CA_FILE" --connect-timeout 10 --max-time 300 -o "$work/body" -w '%{http_code}' \
    -H "@$work/auth" -X "$method" "$@" "$api$path" 2>"$work/curl.err") || true
}

# 1. A token. Until NiFi answers (starting, or not yet in its cluster); wrong credentials fail at once.
while :; do
  code=$(printf '%s' "$NIFI_PASSWORD" | curl -sS --cacert "$CA_FILE" --connect-timeout 10 --max-time 60 \
    -o "$work/body" -w '%{http_code}' --data-urlencode "username=$NIFI_USER" --data-urlencode 'password@-' \
    "$api/access/token" 2>"$work/curl.err") || true
  case $code in
    201) break ;;
    400 | 401 | 403) echo "NiFi at $NIFI_URL refused the login of $NIFI_USER (HTTP $code): $(cat "$work/body")" >&2; exit 1 ;;
  esac
  echo "waiting for NiFi at $NIFI_URL (HTTP $code)"
  again "NiFi at $NIFI_URL issued no token"
done
printf 'Authorization: Bearer %s\n' "$(cat "$work/body")" > "$work/auth"

# 2. The group: found by name among the root group's children, else uploaded. After a failed
# upload the listing is read again, so that an upload whose answer was lost is not repeated.
group=
while [ -z "$group" ]; do
  call GET /flow/process-groups/root
  if [ "$code" = 200 ]; then
    cp "$work/body" "$work/root.json"
    root=$(json_get "$work/root.json" .processGroupFlow.id)
    matches=$(json_paths "$work/root.json" | awk -F '\t' -v name="$GROUP_NAME" '
      $1 ~ /^\.processGroupFlow\.flow\.processGroups\[[0-9]+\]\.id$/ { i = $1; sub(/\.id$/, "", i); id[i] = $2 }
      $1 ~ /^\.processGroupFlow\.flow\.processGroups\[[0-9]+\]\.component\.name$/ && $2 == name { i = $1; sub(/\.component\.name$/, "", i); hit[i] = 1 }
      END { for (i in hit) print id[i] }')
    count=$(printf '%s' "$matches" | grep -c . || true)
    if [ "$count" -gt 1 ]; then
      echo "the root group has $count process groups named \"$GROUP_NAME\" ($(printf '%s' "$matches" | tr '\n' ' ')): remove all but one" >&2
      exit 1
    fi
    if [ "$count" -eq 1 ]; then
      group=$matches
      echo "process group \"$GROUP_NAME\" exists: $group"
      break
    fi
    call POST "/process-groups/$root/process-groups/upload" \
      -F "groupName=$GROUP_NAME" -F "positionX=$POSITION_X" -F "positionY=$POSITION_Y" -F "clientId=$CLIENT_ID" \
      -F "file=@$FLOW_FILE;type=application/json"
    case $code in
      201) group=$(json_get "$work/body" .id); echo "uploaded process group \"$GROUP_NAME\": $group"; break ;;
      400 | 403 | 404) echo "NiFi refused the flow definition of \"$GROUP_NAME\" (HTTP $code): $(cat "$work/body")" >&2; exit 1 ;;
    esac
  fi
  echo "waiting to read or upload process group \"$GROUP_NAME\" (HTTP $code)"
  again "NiFi did not take the process group \"$GROUP_NAME\""
done

# 3. Its controller services, until all are ENABLED.
while :; do
  call GET "/flow/process-groups/$group/controller-services?includeAncestorGroups=false&includeDescendantGroups=true"
  if [ "$code" = 200 ]; then
    pending=$(json_paths "$work/body" | awk -F '\t' '$1 ~ /^\.controllerServices\[[0-9]+\]\.component\.state$/ && $2 != "ENABLED"' | grep -c . || true)
    if [ "$pending" -eq 0 ]; then break; fi
    call PUT "/flow/process-groups/$group/controller-services" -H 'Content-Type: application/json' \
      --data "{\"id\":\"$group\",\"state\":\"ENABLED\"}"
  fi
  echo "enabling the controller services of \"$GROUP_NAME\" (HTTP $code, ${pending:-?} not enabled)"
  again "the controller services of \"$GROUP_NAME\" were not all enabled"
done
echo "controller services of \"$GROUP_NAME\" enabled"

# 4. Start its components.
while :; do
  call PUT "/flow/process-groups/$group" -H 'Content-Type: application/json' --data "{\"id\":\"$group\",\"state\":\"RUNNING\"}"
  if [ "$code" = 200 ]; then break; fi
  echo "starting \"$GROUP_NAME\" (HTTP $code): $(cat "$work/body")"
  again "process group \"$GROUP_NAME\" did not start"
done
echo "process group \"$GROUP_NAME\" ($group) is running"
