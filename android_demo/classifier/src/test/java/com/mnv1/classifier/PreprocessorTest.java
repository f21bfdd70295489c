package com.mnv1.classifier;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import org.junit.Test;

public class PreprocessorTest {
    private static int[] solid(int width, int height, int r, int g, int b) {
        int[] pixels = new int[width * height];
        java.util.Arrays.fill(pixels, 0xFF000000 | (r << 16) | (g << 8) | b);
        return pixels;
    }

    @Test
    public void solidColourBecomesItsNormalisedValueInEveryPlane() {
        float[] tensor = Preprocessor.paddleClas().toTensor(solid(300, 260, 255, 128, 0), 300, 260);
        assertEquals(3 * 224 * 224, tensor.length);
        int plane = 224 * 224;
        assertEquals((1.0f - 0.485f) / 0.229f, tensor[0], 1e-5);
        assertEquals((128 / 255.0f - 0.456f) / 0.224f, tensor[plane + 1234], 1e-5);
        assertEquals((0.0f - 0.406f) / 0.225f, tensor[2 * plane + plane - 1], 1e-5);
    }

    @Test
    public void resizeKeepsAHorizontalGradientMonotonic() {
        int width = 400;
        int height = 300;
        int[] pixels = new int[width * height];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int v = x * 255 / (width - 1);
                pixels[y * width + x] = 0xFF000000 | (v << 16) | (v << 8) | v;
            }
        }
        float[] tensor = Preprocessor.paddleClas().toTensor(pixels, width, height);
        for (int x = 1; x < 224; x++) {
            assertEquals(true, tensor[100 * 224 + x] >= tensor[100 * 224 + x - 1]);
        }
    }

    @Test
    public void wrongPixelCountIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Preprocessor.paddleClas().toTensor(new int[10], 5, 5));
    }
}
