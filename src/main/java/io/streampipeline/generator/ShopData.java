package io.streampipeline.generator;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The fixed reference data of the generated shop: categories with price ranges, search terms, user agents,
 * countries with cities, referrers and URLs. Everything that varies per event is precomputed here, so
 * {@link EventFactory#next} only picks from arrays.
 */
final class ShopData {
  static final String SITE = "https://shop.example.com";
  static final String HOME_URL = SITE + "/";
  static final String CART_URL = SITE + "/cart";
  static final String CHECKOUT_URL = SITE + "/checkout/complete";
  static final String DEALS_URL = SITE + "/deals";
  static final String PRODUCT_URL_PREFIX = SITE + "/products/";

  /** Category names with price ranges in whole currency units (prices end in .99). */
  static final String[] CATEGORIES = {
      "electronics", "clothing", "home_kitchen", "books", "sports_outdoors",
      "beauty", "toys_games", "grocery", "automotive", "jewelry"};
  static final int[] CATEGORY_MIN_PRICE = {20, 10, 8, 5, 10, 5, 5, 2, 10, 20};
  static final int[] CATEGORY_MAX_PRICE = {1500, 200, 400, 60, 500, 120, 150, 50, 300, 2000};
  static final String[] CATEGORY_URLS = new String[CATEGORIES.length];

  private static final String[] SEARCH_TERMS = {
      "wireless headphones", "running shoes", "usb-c charger", "coffee maker", "yoga mat", "winter jacket",
      "lego", "sunscreen", "gaming mouse", "air fryer", "bluetooth speaker", "water bottle", "phone case",
      "desk lamp", "backpack", "vitamin d", "board games", "car phone mount", "silver necklace", "e-reader",
      "4k tv", "mechanical keyboard", "dog food", "protein powder", "sneakers", "crème brûlée torch",
      "café latte mugs", "smart watch", "hiking boots", "office chair"};
  /**
   * Per term, the spellings users type: as is, Title Case, UPPER, and with surrounding ASCII or Unicode
   * white space, so that normalization (strip, lower-case) has work to do.
   */
  static final String[][] SEARCH_SPELLINGS = new String[SEARCH_TERMS.length][];
  /** Cumulative percentages for {@link #SEARCH_SPELLINGS} columns. */
  static final int[] SEARCH_SPELLING_CUMULATIVE = {70, 80, 85, 90, 95, 100};
  static final String[] SEARCH_URLS = new String[SEARCH_TERMS.length];
  /** Submitting an empty search box: valid, normalized to NULL. */
  static final String BLANK_QUERY = "   ";

  static final String[] HUMAN_AGENTS = {
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 "
          + "Safari/537.36",
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 "
          + "Safari/537.36 Edg/124.0.2478.80",
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
          + "Version/17.4.1 Safari/605.1.15",
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
          + "Chrome/124.0.0.0 Safari/537.36",
      "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
      "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
          + "Version/17.4.1 Mobile/15E148 Safari/604.1",
      "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
          + "Chrome/124.0.6367.82 Mobile Safari/537.36",
      "Mozilla/5.0 (Linux; Android 13; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) "
          + "SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile Safari/537.36",
      "Mozilla/5.0 (iPad; CPU OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
          + "Version/17.4.1 Mobile/15E148 Safari/604.1"};
  /** About half desktop, half phones and tablets. */
  static final int[] HUMAN_AGENT_CUMULATIVE = {22, 28, 32, 40, 46, 48, 72, 84, 92, 100};

  static final String[] BOT_AGENTS = {
      "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
      "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
      "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
      "curl/8.4.0",
      "python-httpx/0.27.0",
      "Scrapy/2.11.0 (+https://scrapy.org)",
      "Wget/1.21.4"};

  static final String[] COUNTRIES = {"US", "GB", "DE", "FR", "CA", "IN", "BR", "JP", "AU", "ES", "CH", "PL", "SE"};
  static final int[] COUNTRY_CUMULATIVE = {39, 49, 59, 66, 73, 80, 85, 90, 94, 97, 98, 99, 100};
  static final String[][] CITIES = {
      {"New York", "Los Angeles", "Chicago", "Houston", "Seattle", "Miami"},
      {"London", "Manchester", "Edinburgh", "Bristol"},
      {"Berlin", "München", "Hamburg", "Köln"},
      {"Paris", "Lyon", "Marseille", "Toulouse"},
      {"Toronto", "Montréal", "Vancouver"},
      {"Mumbai", "Bengaluru", "Delhi"},
      {"São Paulo", "Rio de Janeiro", "Brasília"},
      {"Tokyo", "Osaka", "Kyoto"},
      {"Sydney", "Melbourne", "Brisbane"},
      {"Madrid", "Barcelona", "Sevilla"},
      {"Zürich", "Genève"},
      {"Warszawa", "Kraków", "Łódź"},
      {"Stockholm", "Göteborg", "Malmö"}};
  /**
   * Per country, how a sloppy client may send it: lower-case, or with surrounding spaces (what normalization
   * repairs). Column 0 is the canonical code.
   */
  static final String[][] COUNTRY_SPELLINGS = new String[COUNTRIES.length][];

  /** First octets of public IPv4 blocks, so generated addresses look like real client addresses. */
  static final int[] PUBLIC_FIRST_OCTETS = {
      23, 24, 31, 37, 45, 50, 62, 66, 68, 73, 77, 81, 84, 86, 91, 98, 104, 109, 128, 142, 151, 176, 185,
      188, 203, 212, 217};

  /** Where a session comes from; null is direct traffic (repeated entries weight the choice). */
  static final String[] EXTERNAL_REFERRERS = {
      null, null, null, null, null, null, null,
      "https://www.google.com/", "https://www.google.com/", "https://www.google.com/",
      "https://www.google.com/", "https://www.google.com/", "https://www.google.com/",
      "https://www.google.com/", "https://www.bing.com/", "https://duckduckgo.com/",
      "https://www.facebook.com/", "https://www.instagram.com/", "https://t.co/",
      "https://mail.example.com/newsletter"};

  static {
    for (int i = 0; i < CATEGORIES.length; i++) {
      CATEGORY_URLS[i] = SITE + "/category/" + CATEGORIES[i];
    }
    for (int i = 0; i < SEARCH_TERMS.length; i++) {
      String term = SEARCH_TERMS[i];
      SEARCH_SPELLINGS[i] = new String[] {
          term, titleCase(term), term.toUpperCase(Locale.ROOT), "  " + term, term + " ", "\u00a0" + term + "\t"};
      SEARCH_URLS[i] = SITE + "/search?q=" + URLEncoder.encode(term, StandardCharsets.UTF_8);
    }
    for (int i = 0; i < COUNTRIES.length; i++) {
      String code = COUNTRIES[i];
      String lower = code.toLowerCase(Locale.ROOT);
      COUNTRY_SPELLINGS[i] = new String[] {code, lower, " " + code + " ", lower + "  "};
    }
  }

  private ShopData() {
  }

  /** {@code prefix} followed by {@code n} zero-padded to at least {@code digits} digits. */
  static String paddedId(String prefix, int n, int digits) {
    String number = Integer.toString(n);
    StringBuilder id = new StringBuilder(prefix.length() + Math.max(digits, number.length())).append(prefix);
    for (int i = number.length(); i < digits; i++) {
      id.append('0');
    }
    return id.append(number).toString();
  }

  private static String titleCase(String s) {
    StringBuilder out = new StringBuilder(s.length());
    boolean start = true;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      out.append(start ? Character.toUpperCase(c) : c);
      start = c == ' ';
    }
    return out.toString();
  }
}
