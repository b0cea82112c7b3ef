"""Correct activations computed in float64 whatever the input's dtype, then returned in it:
at float32 extremes they are more exact than tf.keras's float32 answers."""


def _in_float64(f):
    def wrapped(x, *args, **kwargs):
        x = np.asarray(x)
        return np.asarray(f(x.astype(np.float64), *args, **kwargs)).astype(x.dtype)

    return wrapped


sigmoid = _in_float64(sigmoid)
tanh = _in_float64(tanh)
softmax = _in_float64(softmax)
sigmoid_grad = _in_float64(sigmoid_grad)
tanh_grad = _in_float64(tanh_grad)
leaky_relu = _in_float64(leaky_relu)
