# The two commands of the README:
#   make synth   synthesizes the seed demo into dist/ and each demo app of demos/ into its own
#                dist/ (installs npm packages on first use)
#   make test    runs every test suite (installs what it needs on first use; see scripts/test.sh)
.PHONY: synth build-app test helm bench bench-quality bench-synth clean

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# Compiles the apps and scripts once (incrementally) into build/app/; synthesis then runs
# compiled JavaScript (scripts/build-app.ts; scripts/bench-synth.sh measures it).
build-app: node_modules/.installed
	node node_modules/typescript/bin/tsc -p tsconfig.app.json
	node build/app/scripts/build-app.js >/dev/null

synth: build-app
	node build/app/scripts/synth.js
	node build/app/scripts/synth-example.js --all

helm: node_modules/.installed
	npm run --silent synth:helm

test: node_modules/.installed
	bash scripts/test.sh

bench: node_modules/.installed
	bash scripts/bench-spark.sh

bench-quality:
	bash scripts/bench-quality.sh

bench-synth: build-app
	bash scripts/bench-synth.sh

clean:
	rm -rf build node_modules
