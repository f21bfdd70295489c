package com.mnv1.classifier;

import static org.junit.Assert.assertEquals;

import java.util.List;
import org.junit.Test;

public class TopKTest {
    @Test
    public void softmaxSumsToOneAndKeepsOrder() {
        float[] p = TopK.softmax(new float[] {1f, 3f, 2f, 1000f});
        double total = 0;
        for (float v : p) {
            total += v;
        }
        assertEquals(1.0, total, 1e-6);
        assertEquals(1.0f, p[3], 1e-6f);
    }

    @Test
    public void bestReturnsTheLargestFirstAndBreaksTiesByIndex() {
        List<TopK.Entry> best = TopK.best(new float[] {0.1f, 0.5f, 0.2f, 0.5f, 0.0f}, 3);
        assertEquals(1, best.get(0).index);
        assertEquals(3, best.get(1).index);
        assertEquals(2, best.get(2).index);
    }
}
