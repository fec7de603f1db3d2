"""The short "what am I looking at" texts shown beside each live view."""

SAMPLES_IMAGES = (
    "**Samples from fixed noise.** G turns the *same* 64 noise vectors into images at every refresh, "
    "so each cell shows one sample growing up. Noise at first; strokes, then shapes, as G learns. "
    "Many identical cells mean mode collapse."
)
SAMPLES_POINTS = (
    "**Real vs generated.** Green dots are real data, purple dots are G's samples. The background is "
    "D's verdict: green where D says *real*, purple where it says *fake*, white where it cannot tell. "
    "Orange arrows show where G's gradient pushes each purple point. Training has worked when purple "
    "covers green and the background turns white."
)
SAMPLES_1D = (
    "**Densities, D and the optimal D\*.** Green: the real density p_data. Purple: G's density p_g (a "
    "smoothed histogram of G's samples). Blue: D(x), D's verdict at each x. Dashed orange: the *optimal* "
    "discriminator for this G, D\* = p_data / (p_data + p_g). D chases D\*; as G moves p_g onto p_data, "
    "D\* flattens to ½ everywhere — the picture behind Goodfellow's proof that the game's optimum is "
    "p_g = p_data. Set *Each iteration trains* to only D to watch D converge to D\* for a frozen G."
)
MANIFOLD = (
    "**G's manifold.** A square grid of noise values, bent by G into data space. Where the grid is "
    "stretched G spreads few samples; where it is squeezed, many. With more than 2 noise dimensions "
    "this is a 2D slice through the noise."
)
LOSS = (
    "**Losses.** D's and G's training losses. They do not go to zero in a healthy GAN: the two "
    "players push against each other, so flat, steady curves are good; a curve racing off is not."
)
VERDICT = (
    "**D's verdicts.** Mean D(x) on real data and D(G(z)) on fakes (probabilities for BCE losses, "
    "critic scores otherwise). Near 0.5 and 0.5: D cannot tell. D(x)≈1, D(G(z))≈0: D is winning. "
    "For WGANs the gap is the critic's Wasserstein estimate."
)
GRADS = (
    "**Gradient norms.** How hard each network is being pushed. G's norm collapsing towards 0 while D "
    "wins means G's gradients have vanished; spikes mean instability."
)
RESTORE_TRIPLETS = (
    "**Held-out images: input | restored | target.** Each row is one image the model never trains "
    "on: the degraded input (bicubic for x4, the noisy or masked picture), what G makes of it, and "
    "the clean original. The status line scores G against doing nothing (PSNR in dB, higher is "
    "better; SSIM up to 1). The losses plot shows the pixel L1 falling; with a discriminator "
    "(pix2pix, srgan) the adversarial terms push against each other as in any GAN, and the D "
    "verdict and gradient plots stay empty. Save the run and it appears in the Restore tab."
)
MORPH = (
    "**The manifold morph.** Slide t from 0 to 1: at t = 0 you see the square grid of noise G "
    "starts from; at t = 1 the same grid where G puts it in data space (green dots are the real "
    "data). Where the morph **stretches** a cell (blue), G spreads its samples thin; where it "
    "**squeezes** one (purple), many samples pile up. The shading compares each cell's area with "
    "the noise cell it came from, relative to the typical cell: the deeper the colour, the more "
    "stretched or squeezed (full colour at 4x). A red cell has **folded over**: G maps two patches "
    "of noise onto the same place. With normal noise the outer cells hold fewer noise samples to "
    "begin with; with more than 2 noise dimensions this is a 2D slice."
)
DIVERGENCE = (
    "**KL and JS by grid.** How far G's samples are from the real data, counted on a fixed 32x32 "
    "grid over the view (nats; JS is at most ln 2 = 0.69, reached when the two never overlap). "
    "Both fall towards 0 as G matches the data; even a perfect G stays a little above 0 because the "
    "samples are finite. KL(real‖G) punishes missing modes hardest."
)
OVERVIEW = (
    "**Model overview.** The data flow of one iteration, as GAN Lab draws it: noise z goes through G and "
    "becomes fake samples; real samples come from the data set; D scores both (each sample coloured by D's "
    "verdict, green = *real*, purple = *fake*); the verdicts make D's loss and G's loss (latest values); the "
    "dashed arrows are the gradients that flow back from each loss to its own network. The thumbnails are "
    "live: they change with the other views."
)
