"""softmax the textbook-stable way, through the log-sum-exp: m + log(sum(exp(x - m))) is
rounded once more than x - m, which costs up to |x| * eps in float32 at |x| = 1000."""


def softmax(x, axis=-1):
    m = np.max(x, axis=axis, keepdims=True)
    return np.exp(x - (m + np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True))))
