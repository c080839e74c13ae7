#!/bin/sh
# SPDX-License-Identifier: MIT
# Regenerates the checked-in seed corpus with `synk gen` (small inputs, a few
# KB each). Usage: tests/fuzz/make_corpus.sh [SYNK_GEN_BINARY]
# Default: build/fuzz/fuzz_gen (the gen/replay/stat commands of tools/cmd_sync.c,
# the same code as `synk gen`), built by tests/fuzz/run.sh.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
gen=${1:-$here/../../build/fuzz/fuzz_gen}
case "$gen" in */synk) g="$gen gen" ;; *) g="$gen gen" ;; esac
mkdir -p "$here/corpus/stream" "$here/corpus/snapshot" "$here/corpus/delta"
tmp=$(mktemp -d)
for sc in crowd peer churn props; do
  for seed in 1 2; do
    $g $sc --entities 60 --ticks 3 --seed $seed --raw -o "$here/corpus/stream/$sc-$seed.bin" \
       --snapshot "$here/corpus/snapshot/$sc-$seed.bin" --fuzz-delta "$here/corpus/delta/$sc-$seed.bin" >/dev/null
  done
done
$g crowd --entities 600 --ticks 2 --seed 3 --raw -o "$here/corpus/stream/crowd-600.bin" \
   --fuzz-delta "$tmp/d.bin" >/dev/null
rm -rf "$tmp"
# session datagrams (fuzz_session): written by gen_session_corpus, next to fuzz_gen
mkdir -p "$here/corpus/session"
"$(dirname "$gen")/gen_session_corpus" "$here/corpus/session"
# action sequences of a game with a hostile peer (fuzz_session_seq): gen_session_seq_corpus
mkdir -p "$here/corpus/session_seq"
"$(dirname "$gen")/gen_session_seq_corpus" "$here/corpus/session_seq"
# protocol message sequences (fuzz_net): written by gen_net_corpus, next to fuzz_gen
mkdir -p "$here/corpus/net"
"$(dirname "$gen")/gen_net_corpus" "$here/corpus/net"
# op scripts of the stateful server fuzzer (fuzz_net_seq): written by gen_net_seq_corpus
mkdir -p "$here/corpus/net_seq"
"$(dirname "$gen")/gen_net_seq_corpus" "$here/corpus/net_seq"
# op scripts of the hostile server (fuzz_net_client_seq): written by gen_net_client_seq_corpus
mkdir -p "$here/corpus/net_client_seq"
"$(dirname "$gen")/gen_net_client_seq_corpus" "$here/corpus/net_client_seq"
# server byte streams for a client (fuzz_net_client): written by gen_net_client_corpus
mkdir -p "$here/corpus/net_client"
"$(dirname "$gen")/gen_net_client_corpus" "$here/corpus/net_client"
ls -l "$here/corpus"/*
