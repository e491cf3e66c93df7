# Makes the golden .npy/.npz files of package npy's tests with numpy itself.
# Run from the repository root with a Python that has numpy:
#   python3 npy/testdata/make.py
# (numpy 1.24.2 made the committed files.) Each array's values are
# i*0.25 - 1 for i = 0, 1, … in C order, so the Go test knows them.
import os
import numpy as np

here = os.path.dirname(os.path.abspath(__file__))

def vals(shape, dtype):
    n = int(np.prod(shape)) if len(shape) else 1
    return (np.arange(n) * 0.25 - 1).reshape(shape).astype(dtype)

cases = {
    "f8_2x3": vals((2, 3), "<f8"),
    "f8_1d": vals((5,), "<f8"),
    "f8_scalar": vals((), "<f8"),
    "f8_empty": vals((0,), "<f8"),
    "f8_3d": vals((2, 3, 4), "<f8"),
    "f4_2x3": vals((2, 3), "<f4"),
    "f2_4": vals((4,), "<f2"),
    "i8_4": (np.arange(4) - 2).astype("<i8"),
    "i4_big_4": (np.arange(4) - 2).astype(">i4"),
    "u1_3": np.arange(3).astype("|u1"),
    "b1_3": np.array([True, False, True]),
    "f8_big_2x3": vals((2, 3), ">f8"),
    "f8_fortran_2x3x4": np.asfortranarray(vals((2, 3, 4), "<f8")),
    "f4_fortran_3x2": np.asfortranarray(vals((3, 2), "<f4")),
    "f8_long_shape": vals((1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2), "<f8"),
}
for name, a in cases.items():
    np.save(os.path.join(here, name + ".npy"), a)
np.savez(os.path.join(here, "savez.npz"), w=vals((2, 3), "<f8"), b=vals((3,), "<f4"))
np.savez_compressed(os.path.join(here, "savez_compressed.npz"), w=vals((2, 3), "<f8"), n=np.int64(7))
