// CBLAS from OpenBLAS (also declares openblas_set_num_threads).
#include <cblas.h>
