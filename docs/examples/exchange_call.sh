#!/usr/bin/env bash
# A signed call through the Prasan exchange hub with nothing but bash, openssl (3.x) and curl:
# the proof that the protocol in docs/exchange.md needs no Prasan code on the consumer side.
#
#   docs/examples/exchange_call.sh KEY.pem KEYID HUB PROVIDER SERVICE CITIZEN PURPOSE [CONSENT [QUERY]]
#
# e.g. with the demo (`prasan exchange up`, keys under var/keys/exchange/):
#   docs/examples/exchange_call.sh var/keys/exchange/TH_GOV_NSO_WELFARE__<fp>.pem \
#     'TH/GOV/NSO/WELFARE#<fp>' http://127.0.0.1:8000 TH/GOV/DGA/SAMPLE sample.record \
#     1101700203450 welfare-eligibility
set -euo pipefail
key=$1 keyid=$2 hub=$3 provider=$4 service=$5 citizen=$6 purpose=$7 consent=${8:-none}
query=${9:-}  # e.g. province_code=10 (already percent-encoded)

authority=${hub#*://}
path="/x/v1/${provider}/${service}"
created=$(date +%s)
nonce=$(openssl rand -base64 18 | tr '+/' '-_' | tr -d '=')
# RFC 9530: the digest of the (empty) body.
digest="sha-256=:$(printf '' | openssl dgst -sha256 -binary | base64):"
params="(\"@method\" \"@authority\" \"@path\" \"@query\" \"content-digest\" \"prasan-citizen\" \"prasan-purpose\" \"prasan-consent\");created=${created};nonce=\"${nonce}\";alg=\"ed25519\";keyid=\"${keyid}\";tag=\"prasan-request\""

# RFC 9421 section 2.5: one line per covered component, then @signature-params; no final newline.
base=$(mktemp)
trap 'rm -f "$base"' EXIT
printf '"@method": GET\n"@authority": %s\n"@path": %s\n"@query": ?%s\n"content-digest": %s\n"prasan-citizen": %s\n"prasan-purpose": %s\n"prasan-consent": %s\n"@signature-params": %s' \
  "$authority" "$path" "$query" "$digest" "$citizen" "$purpose" "$consent" "$params" > "$base"
signature=$(openssl pkeyutl -sign -inkey "$key" -rawin -in "$base" | base64 -w0)

curl -sS -i "${hub}${path}${query:+?$query}" \
  -H "Content-Digest: ${digest}" \
  -H "Prasan-Citizen: ${citizen}" \
  -H "Prasan-Purpose: ${purpose}" \
  -H "Prasan-Consent: ${consent}" \
  -H "Signature-Input: sig1=${params}" \
  -H "Signature: sig1=:${signature}:"
echo
