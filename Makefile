# postflight build. Every target finds a JDK 21+ by itself (bin/find-jdk: JAVA_HOME, then
# the JDKs under /usr/lib/jvm) and stops with a clear message when there is none.
SHELL := /bin/sh
JAVA_HOME := $(shell bin/find-jdk)
export JAVA_HOME
MVN := ./mvnw -B -q
JAR := target/postflight.jar

.PHONY: build run test lint format clean check-jdk bench bench-fleet bench-latency bench-scale e2e \
	dist dist-test

check-jdk:
	@test -n "$(JAVA_HOME)" || { bin/find-jdk >/dev/null; exit 1; }

# After packaging, one training run (read-only verify over SSH of a few loopback hosts of the test
# kit, bin/aot-train) fills the AOT cache (JDK 24+) or the class-data sharing archive (JDK 21-23)
# bin/postflight uses, so later runs start faster and cost less CPU (bench/RESULTS.md, "Start-up"
# and issue 18). The test class path is written for the training hosts' JVM.
build: check-jdk
	$(MVN) -DskipTests package dependency:build-classpath \
	  -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
	@rm -f target/postflight.jsa target/postflight.aot
	@bin/aot-train

$(JAR):
	$(MAKE) build

# Verifies this machine with the shipped checklist. Findings (exit 1) are the report, not a
# make error; invalid input (2) or an interrupt (130) is.
run: build
	@bin/postflight verify --local -c checks/local.yaml; rc=$$?; \
	  if [ $$rc -eq 0 ] || [ $$rc -eq 1 ]; then exit 0; else exit $$rc; fi

# bin/test-prereqs stops with the install command when something a test needs is missing;
# bin/check-skips fails the run when a test was skipped anyway (PF_ALLOW_SKIPS=1 accepts both).
test: check-jdk
	@bin/test-prereqs
	$(MVN) spotless:check
	./mvnw -B verify
	@bin/check-skips

# Benchmarks (root), figures go to bench/RESULTS.md by hand, with the date. Each benchmark takes
# the shared lock /tmp/pf-cpu.lock for its timed runs, so heavy runs on this machine do not overlap.
bench: bench-fleet bench-latency bench-scale

# Fleet: postflight vs parallel-ssh, ansible-playbook and testinfra on real sshd processes on
# loopback ports (bench/fleet.sh). Ansible and testinfra take minutes at 50 and 100 hosts, so they
# run once there.
BENCH_SLOW_ONCE := RUNS_ANSIBLE=1 RUNS_TESTINFRA=1 RUNS_TESTINFRA_PARAMIKO=1
bench-fleet: build
	@missing=""; \
	  command -v /usr/sbin/sshd >/dev/null || missing="$$missing openssh-server"; \
	  command -v cc >/dev/null || missing="$$missing gcc"; \
	  command -v parallel-ssh >/dev/null || missing="$$missing pssh"; \
	  command -v ansible-playbook >/dev/null || missing="$$missing ansible"; \
	  /usr/bin/python3 -c 'import testinfra' 2>/dev/null || missing="$$missing python3-testinfra"; \
	  /usr/bin/python3 -c 'import xdist' 2>/dev/null || missing="$$missing python3-pytest-xdist"; \
	  /usr/bin/python3 -c 'import paramiko' 2>/dev/null || missing="$$missing python3-paramiko"; \
	  if [ -n "$$missing" ]; then \
	    echo "make bench needs:$$missing; install them with: apt-get install$$missing" >&2; exit 2; fi
	RUNS=3 bench/fleet.sh 10
	RUNS=3 $(BENCH_SLOW_ONCE) bench/fleet.sh 50
	RUNS=3 $(BENCH_SLOW_ONCE) bench/fleet.sh 100

# Start-up (about 6 minutes): medians of 20 runs of verify --local and of one host over a real
# sshd, with no archive, a CDS archive and an AOT cache (bench/latency.sh).
bench-latency: build
	@command -v /usr/sbin/sshd >/dev/null || \
	  { echo "make bench-latency needs: apt-get install openssh-server" >&2; exit 2; }
	RUNS=20 flock /tmp/pf-cpu.lock bench/latency.sh

# Scale (about 1 minute): 2,000 simulated SSH hosts in one separate JVM on loopback addresses,
# verified with -Xmx512m; wall time, heap, threads, RSS (bench/scale.sh; HOSTS=sh for a real sh
# on every host, 5-7 minutes here; LATENCY=100ms for a WAN's round trip in every host).
bench-scale: build
	flock /tmp/pf-cpu.lock bench/scale.sh 2000

# End-to-end lab (root): hosts in network namespaces with real OpenSSH, nginx and chrony; runs the
# seed scenarios and always removes the lab. SCENARIOS="1 5" runs only those.
e2e: build
	e2e/run.sh $(SCENARIOS)

# Release artefacts under target/dist/ (bin/dist): a tarball with its own jlink runtime, a .deb and
# an OCI image archive (Jib, no Docker daemon), each with the man pages and bash/zsh completion.
dist: build
	bin/dist

# Root, Debian/Ubuntu: installs and runs each artefact of make dist in a minimal Debian 12 root
# without a JDK (debootstrap, cached in /var/cache/postflight-dist-test), entered with
# unshare/chroot (bin/dist-test). Not part of make test.
dist-test: dist
	bin/dist-test

lint: build
	bin/postflight lint checks/

format: check-jdk
	$(MVN) spotless:apply

clean:
	rm -rf target
