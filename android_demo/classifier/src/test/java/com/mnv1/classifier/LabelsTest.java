package com.mnv1.classifier;

import static org.junit.Assert.assertEquals;

import java.io.IOException;
import java.io.StringReader;
import org.junit.Test;

public class LabelsTest {
    @Test
    public void readsPaddleClasNumberedLines() throws IOException {
        Labels labels = Labels.read(new StringReader("0 tench, Tinca tinca\n1 goldfish, Carassius auratus\n"));
        assertEquals(2, labels.size());
        assertEquals("goldfish, Carassius auratus", labels.name(1));
        assertEquals("class 7", labels.name(7));
    }

    @Test
    public void readsPlainLinesAsLineNumbers() throws IOException {
        Labels labels = Labels.read(new StringReader("cat\n\ndog\n"));
        assertEquals("dog", labels.name(1));
    }
}
