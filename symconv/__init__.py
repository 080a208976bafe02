"""symconv: derive, print and verify the parameter and FLOP counts of convolution layers symbolically."""
