# The two entry points; both set up what they need first (./bootstrap.sh).
.PHONY: reproduce test lint unit integration

reproduce:
	./bootstrap.sh
	.venv/bin/secns run

test:
	./bootstrap.sh
	.venv/bin/tox -e lint,unit,integration

lint unit integration:
	./bootstrap.sh
	.venv/bin/tox -e $@
