# swift-ssm: `make test` (the test suite) and `make demo` (the main job) work on a
# fresh Debian machine: missing system libraries are installed first (as root,
# or through sudo when available).

SWIFT ?= swift
APT_PACKAGES := libfftw3-dev liblapacke-dev libopenblas-dev pkg-config fortunes libopenmpi-dev openmpi-bin
# The text task's default corpus: Debian's fortunes data (`fortunes`, which pulls in `fortunes-min`).
FORTUNES := /usr/share/games/fortunes/fortunes
# Release builds for the demo; CPU-specific speed flags (-target-cpu) belong here, never in Package.swift.
RELEASE_FLAGS := -c release
# Speed measurements: an AVX2 build in its own scratch folder (tests keep the portable build).
NATIVE_FLAGS := -c release --scratch-path .build-native -Xswiftc -target-cpu -Xswiftc haswell
SUDO := $(shell [ "$$(id -u)" = "0" ] || command -v sudo >/dev/null 2>&1 && [ "$$(id -u)" != "0" ] && echo sudo)

.PHONY: deps build test reference-check demo bench notebooks format lint docs clean

## deps: install FFTW, LAPACKE, OpenBLAS and Open MPI (headers, libraries, mpirun) and the fortunes corpus if any
## is missing (idempotent).
deps:
	@if [ -f $(FORTUNES) ] && command -v mpirun >/dev/null 2>&1 \
	    && printf '#include <fftw3.h>\n#include <lapacke.h>\n#include <cblas.h>\n#include <mpi.h>\nint main(void){openblas_set_num_threads(1);return MPI_Initialized(0);}\n' \
	    | cc -x c - -o /tmp/ssm-deps-check $$(pkg-config --cflags --libs ompi-c 2>/dev/null) \
	      -lfftw3 -lfftw3f -lfftw3f_threads -llapacke -lopenblas >/dev/null 2>&1; then \
	  echo "deps: FFTW, LAPACKE, OpenBLAS, Open MPI and the fortunes corpus present"; \
	else \
	  echo "deps: installing $(APT_PACKAGES)"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(APT_PACKAGES); \
	fi

build: deps
	$(SWIFT) build

## test: unit and property tests, then the independent Python/numpy reference checks of the JSON interface and
## of data-parallel training (mpirun -np 2 and 4 on this machine against one process).
## Tests run optimised (-c release): the numerical tests sweep N up to 64 and thousands of steps,
## which unoptimised generic code makes ~30x slower; nothing in them depends on the build mode.
test: deps
	$(SWIFT) build $(RELEASE_FLAGS) --build-tests
	$(SWIFT) test $(RELEASE_FLAGS) --skip-build --parallel
	$(MAKE) reference-check

reference-check:
	@python3 -c 'import numpy, scipy' 2>/dev/null || python3 -m pip install -q numpy scipy
	python3 Tests/reference/check_cli.py --ssm "$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)/ssm"
	python3 Tests/reference/check_kernels.py --ssm "$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)/ssm"
	python3 Tests/reference/check_data_parallel.py --ssm "$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)/ssm"
	@python3 -c 'import jsonschema' 2>/dev/null || python3 -m pip install -q jsonschema
	python3 Tests/reference/check_constraints.py --ssm "$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)/ssm"
	@python3 -c 'import openai' 2>/dev/null || python3 -m pip install -q openai
	python3 Tests/reference/check_serve.py --ssm "$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)/ssm"

## demo: build in release mode, run the HiPPO operator demonstration, then the comparison of S4D, Mamba,
## transformer and GRU on copying, selective copying and induction heads (reports with charts in
## runs/demo-comparison).
demo: deps
	$(SWIFT) build $(RELEASE_FLAGS) --product ssm
	./Scripts/operator-demo.sh "$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)/ssm"
	./Scripts/comparison-demo.sh "$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)/ssm"

## bench: S4D layer and step speed (AVX2 build) next to JAX on CPU (../shared/anchors) measured in the same run.
bench: deps
	$(SWIFT) build $(NATIVE_FLAGS) --product ssm
	./Scripts/bench.sh "$$($(SWIFT) build $(NATIVE_FLAGS) --show-bin-path)/ssm" bench-results

## notebooks: build the notebooks (Notebooks/README.md) in release mode and run each; every one writes its
## figures and README.md into notebook-output/<name>/.
NOTEBOOKS := hippo-operators function-approximation s4-kernels long-range-memory generation-cost language-modelling \
  structured-generation rl-fine-tuning speculative-decoding multi-token-heads
notebooks: deps
	@for name in $(NOTEBOOKS); do \
	  $(SWIFT) build $(RELEASE_FLAGS) --product notebook-$$name || exit 1; \
	done
	@bin="$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)"; \
	for name in $(NOTEBOOKS); do \
	  "$$bin/notebook-$$name" "notebook-output/$$name" || exit 1; \
	  echo "notebooks: $$name -> notebook-output/$$name/README.md"; \
	done

format:
	$(SWIFT) format --in-place --recursive --parallel Package.swift Sources Tests Notebooks

lint:
	$(SWIFT) format lint --strict --recursive Package.swift Sources Tests Notebooks

docs:
	$(SWIFT) package --disable-sandbox generate-documentation --target LinearAlgebra --target HiPPO --target FFT --target S4 --target Autodiff --target LayerOperations --target Training --target Checkpoint --target Models --target Generation --target Reports --target Tasks --target Comparison

clean:
	rm -rf .build .build-native bench-results notebook-output
