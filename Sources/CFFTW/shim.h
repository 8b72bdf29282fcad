// FFTW 3 in double (fftw_*) and single (fftwf_*) precision.
// fftw3_threads / fftw3f_threads provide fftw(f)_make_planner_thread_safe(),
// which the FFT module calls once before planning from several threads.
#include <fftw3.h>
