// LAPACKE with complex numbers as plain structs ({ real, imag }), which Swift
// imports as ordinary structs whose memory layout matches Complex<Double>.
// (lapack.h would otherwise pick C99 `double _Complex`, which Swift cannot
// import, so the types are supplied here and LAPACK_COMPLEX_CUSTOM tells
// lapacke_config.h not to redefine them.)
// lapack_int is a macro (int32_t here), so Swift code passes Int32.
// OpenBLAS provides LAPACK itself but no LAPACKE symbols, so both are linked.
typedef struct { float real, imag; } ssm_lapack_complex_float;
typedef struct { double real, imag; } ssm_lapack_complex_double;
#define LAPACK_COMPLEX_CUSTOM
#define lapack_complex_float ssm_lapack_complex_float
#define lapack_complex_double ssm_lapack_complex_double
#include <lapacke.h>
