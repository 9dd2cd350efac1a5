#!/bin/sh
# Run by the nginx image's entrypoint (/docker-entrypoint.d/) before nginx starts. Writes the one
# line of configuration by which nginx proves to Django that a request came through it: the
# PROXY_SHARED_SECRET, read from the Docker secret that the web container reads too. The secret is
# thus in no environment variable and in no file of the repository; seu.conf includes the result.
set -eu
secret_file=${SEU_PROXY_SECRET_FILE:-/run/secrets/proxy_shared_secret}
output=${SEU_PROXY_SECRET_CONF:-/etc/nginx/seu-proxy-secret.conf}

secret=$(cat "$secret_file")
# Characters that need no quoting in nginx's configuration nor in an HTTP header.
case "$secret" in
    *[!A-Za-z0-9._~+/=-]*)
        echo "$0: $secret_file may only hold A-Z a-z 0-9 . _ ~ + / = -" >&2
        exit 1
        ;;
esac
if [ "${#secret}" -lt 32 ]; then
    echo "$0: $secret_file must hold at least 32 characters" >&2
    exit 1
fi

umask 077
printf 'proxy_set_header X-Seu-Proxy-Secret "%s";\n' "$secret" >"$output"
