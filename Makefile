# The two commands of the README:
#   make synth   synthesizes the demo into dist/ and each example app of examples/ into its own
#                dist/ (installs npm packages on first use)
#   make test    runs every test suite (installs what it needs on first use; see scripts/test.sh)
.PHONY: synth test helm bench bench-quality clean

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

synth: node_modules/.installed
	npm run --silent synth
	npm run --silent synth:examples

helm: node_modules/.installed
	npm run --silent synth:helm

test: node_modules/.installed
	bash scripts/test.sh

bench: node_modules/.installed
	bash scripts/bench-spark.sh

bench-quality:
	bash scripts/bench-quality.sh

clean:
	rm -rf build node_modules
