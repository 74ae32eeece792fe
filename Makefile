# postflight build. Every target finds a JDK 21+ by itself (bin/find-jdk: JAVA_HOME, then
# the JDKs under /usr/lib/jvm) and stops with a clear message when there is none.
SHELL := /bin/sh
JAVA_HOME := $(shell bin/find-jdk)
export JAVA_HOME
MVN := ./mvnw -B -q
JAR := target/postflight.jar

.PHONY: build run test lint format clean check-jdk bench bench-tools bench-fleet bench-scale bench-latency

check-jdk:
	@test -n "$(JAVA_HOME)" || { bin/find-jdk >/dev/null; exit 1; }

# After packaging, one training run of verify --local (read-only) fills the AOT cache (JDK 24+)
# or the class-data sharing archive (JDK 21-23) bin/postflight uses, so later runs start faster
# (bench/RESULTS.md, "Start-up").
build: check-jdk
	$(MVN) -DskipTests package
	@rm -f target/postflight.jsa target/postflight.aot
	@POSTFLIGHT_AOT_TRAIN=1 bin/postflight verify --local -c checks/local.yaml >/dev/null 2>&1 || true

$(JAR):
	$(MAKE) build

# Verifies this machine with the shipped checklist. Findings (exit 1) are the report, not a
# make error; invalid input (2) or an interrupt (130) is.
run: build
	@bin/postflight verify --local -c checks/local.yaml; rc=$$?; \
	  if [ $$rc -eq 0 ] || [ $$rc -eq 1 ]; then exit 0; else exit $$rc; fi

test: check-jdk
	$(MVN) spotless:check
	./mvnw -B verify

# Benchmarks (root; need openssh-server and pssh), about 15 minutes in all. Each takes
# /tmp/pf-cpu.lock, so benchmarks sharing the machine do not overlap. Figures go to
# bench/RESULTS.md by hand, with the date.
bench: bench-fleet bench-latency bench-scale

bench-tools:
	@command -v /usr/sbin/sshd >/dev/null && command -v parallel-ssh >/dev/null || \
	  { echo "make bench needs openssh-server and pssh: apt-get install openssh-server pssh" >&2; exit 2; }

# postflight vs parallel-ssh on real sshd processes on loopback ports.
bench-fleet: build bench-tools
	RUNS=3 flock /tmp/pf-cpu.lock bench/fleet.sh 10
	RUNS=3 flock /tmp/pf-cpu.lock bench/fleet.sh 50

# Start-up: median of 20 runs, no archive vs CDS vs AOT cache, --local and one SSH host.
bench-latency: build bench-tools
	RUNS=20 flock /tmp/pf-cpu.lock bench/latency.sh

# 2,000 simulated hosts in one separate JVM on loopback addresses; postflight with -Xmx512m.
bench-scale: build
	flock /tmp/pf-cpu.lock bench/scale.sh 2000

lint: build
	bin/postflight lint checks/

format: check-jdk
	$(MVN) spotless:apply

clean:
	rm -rf target
