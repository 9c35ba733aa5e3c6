# Shortcuts; the scripts in scripts/ and demo/ do the work.
.PHONY: demo
demo:  ## The article's experiment, live: augur finds the latency a deployment injects (demo/README.md)
	bash demo/run.sh
