/* Activation identifiers shared by the fused GEMM epilogue, the RNN cells and the
 * element-wise kernels. Values follow Keras' activation names. */
#ifndef MCDL_KERNELS_ACT_H
#define MCDL_KERNELS_ACT_H

typedef enum {
    MCDL_ACT_NONE = 0, /* linear */
    MCDL_ACT_RELU,
    MCDL_ACT_SIGMOID,
    MCDL_ACT_TANH,
    MCDL_ACT_LEAKY_RELU, /* x > 0 ? x : alpha * x */
    MCDL_ACT_ELU,        /* x > 0 ? x : alpha * (exp(x) - 1), Keras alpha 1 */
    MCDL_ACT_SELU,
    MCDL_ACT_GELU,     /* Keras default approximate=False: 0.5 x (1 + erf(x / sqrt 2)) */
    MCDL_ACT_SWISH,    /* x * sigmoid(x) */
    MCDL_ACT_SOFTPLUS, /* log(1 + exp(x)) */
    MCDL_ACT_SOFTMAX,  /* over the last axis; not element-wise */
    MCDL_ACT_COUNT
} mcdl_act;

#endif
