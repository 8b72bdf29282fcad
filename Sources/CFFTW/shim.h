// FFTW 3 in double (fftw_*) and single (fftwf_*) precision.
// fftw3f_threads provides fftwf_make_planner_thread_safe(), which the FFT module
// calls once before planning from several threads.
#include <fftw3.h>
