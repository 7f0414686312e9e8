/* snsw._fastops: the hot loop of the separation mask in C (a soft ReLU gate). */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>

static PyObject *gate(PyObject *self, PyObject *args) {
    Py_buffer in;
    double threshold;
    if (!PyArg_ParseTuple(args, "y*d", &in, &threshold)) return NULL;
    Py_ssize_t n = in.len / (Py_ssize_t)sizeof(double);
    const double *x = (const double *)in.buf;
    PyObject *out = PyBytes_FromStringAndSize(NULL, n * (Py_ssize_t)sizeof(double));
    if (!out) { PyBuffer_Release(&in); return NULL; }
    double *y = (double *)PyBytes_AS_STRING(out);
    for (Py_ssize_t i = 0; i < n; i++) {
        double v = x[i] - threshold;
        y[i] = v > 0 ? v / (1.0 + exp(-v)) : 0.0;
    }
    PyBuffer_Release(&in);
    return out;
}

static PyMethodDef methods[] = {
    {"gate", gate, METH_VARARGS, "gate(float64 bytes, threshold) -> float64 bytes"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_fastops", NULL, -1, methods};

PyMODINIT_FUNC PyInit__fastops(void) { return PyModule_Create(&module); }
