"""The one place for pictures (numpy and Pillow; no gradio, no matplotlib):

``images`` tensors to uint8, PIL and PNG, and the sample grid; ``points`` the 2D canvas and
point pictures; ``gif`` the GIF writer; ``views`` a GAN run's 2D views and timelapse;
``triplets`` a CycleGAN run's A -> B -> A rows.
"""
