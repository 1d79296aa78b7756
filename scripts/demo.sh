#!/usr/bin/env bash
# Sets everything up, then runs shenhe on the committed sample batch and scores it against its truth.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
for ruleset in hubei-yanxuan changzhi-shifan; do
  as_of=$(.venv/bin/python -c "import json,sys; print(json.load(open(sys.argv[1]))['as_of'])" "samples/$ruleset/batch.json")
  .venv/bin/shenhe process "samples/$ruleset/batch" --rules "$ruleset" --as-of "$as_of" --out "out/demo/$ruleset"
  .venv/bin/shenhe eval --truth "samples/$ruleset/truth.jsonl" --results "out/demo/$ruleset/results.jsonl"
done
echo
echo "评审网页：先开一个账号，再启动网页（http://127.0.0.1:8000/）："
echo "  .venv/bin/shenhe users add 审核员 --role reviewer    # 输入密码（至少 8 个字符）"
echo "  .venv/bin/shenhe serve"
