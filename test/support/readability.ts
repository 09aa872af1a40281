/**
 * Plain-English measures for a page's fixed text: Flesch reading ease (higher is easier; 60-70 is
 * plain English, 70+ reads easily at about age 12) and the average and longest sentence in words.
 * Syllables are estimated from vowel groups, which is close enough for short everyday words.
 */
export type Readability = {
  readonly words: number;
  readonly sentences: number;
  readonly fleschReadingEase: number;
  readonly averageSentenceWords: number;
  readonly longestSentenceWords: number;
};

export function syllables(word: string): number {
  const w = word.toLowerCase().replace(/[^a-z]/g, '');
  if (w.length === 0) return 0;
  if (w.length <= 3) return 1;
  const trimmed = w.replace(/(?:[^laeiouy]es|[^laeiouy]ed|[^laeiouy]e)$/, '').replace(/^y/, '');
  return Math.max(1, trimmed.match(/[aeiouy]{1,2}/g)?.length ?? 1);
}

/** The visible text of an HTML page's main content and footer, without the form controls' values. */
export function visibleText(html: string): string {
  return html
    .replace(/<head>[\s\S]*?<\/head>/i, ' ')
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<input[^>]*>/gi, ' ')
    .replace(/<(h[1-6]|p|li|td|th|label|legend|button|a|span|div|caption|summary)\b[^>]*>/gi, '\n')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&[a-z#0-9]+;/gi, ' ');
}

export function readability(text: string): Readability {
  // Each line (heading, list item, label, link) or sentence counts as a sentence.
  const sentences = text
    .split(/\n+|(?<=[.!?])\s+/)
    .map((s) => s.trim())
    .filter((s) => /[A-Za-z]/.test(s));
  const wordsOf = (s: string) => s.split(/\s+/).filter((w) => /[A-Za-z]/.test(w));
  const counts = sentences.map((s) => wordsOf(s).length);
  const words = counts.reduce((a, b) => a + b, 0);
  const syllableCount = sentences.flatMap(wordsOf).reduce((a, w) => a + syllables(w), 0);
  const averageSentenceWords = words / Math.max(1, sentences.length);
  return {
    words,
    sentences: sentences.length,
    fleschReadingEase: 206.835 - 1.015 * averageSentenceWords - 84.6 * (syllableCount / Math.max(1, words)),
    averageSentenceWords,
    longestSentenceWords: Math.max(0, ...counts),
  };
}
