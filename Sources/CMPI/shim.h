// Open MPI's C interface (Debian: libopenmpi-dev; headers in /usr/lib/x86_64-linux-gnu/openmpi/include,
// found through pkg-config `ompi-c`). Open MPI defines its predefined handles (MPI_COMM_WORLD, MPI_FLOAT, ...)
// as casts of the addresses of global objects, macros Swift cannot import, so they are returned here by
// functions.
#include <mpi.h>

static inline MPI_Comm ssm_mpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype ssm_mpi_float(void) { return MPI_FLOAT; }
static inline MPI_Datatype ssm_mpi_uint64(void) { return MPI_UINT64_T; }
