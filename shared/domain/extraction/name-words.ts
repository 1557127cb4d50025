/**
 * Words that merchant names are commonly made of (English, French, Malay trade words, and the place names the parser
 * already knows from addresses). OCR misreads letters of a large or faded name ("BAKERLES", "JOHGR"); a word of the
 * name that is not in this list but is one typical OCR confusion away from exactly one word of it is read as that
 * word. Proper names (not in the list, and not one confusion away from a trade word) are left as read.
 */

const WORDS = `
ACCESSORIES AGENCY APPAREL ARTS AUTOMOBILE AUTOMOTIVE BAKER BAKERS BAKERY BAKERIES BAKEHOUSE BAKES BATTERY BEAUTY
BEVERAGE BEVERAGES BISTRO BOOKS BOOKSTORE BOULANGERIE BOUCHERIE BOUTIQUE BRASSERIE BREAD BURGER BURGERS BUTCHER
CAFE CAFES CAFETERIA CATERING CENTER CENTRE CHEMIST CHICKEN CLINIC CLOTHING COFFEE COMMUNICATION COMPUTER COMPUTERS
CONFECTIONERY CONSTRUCTION CONVENIENCE COSMETICS CREPERIE DELI DENTAL DEPARTMENT DESIGN DIGITAL DISTRIBUTION
DISTRIBUTOR DISTRIBUTORS DRINKS ELECTRIC ELECTRICAL ELECTRONIC ELECTRONICS ENGINEERING ENTERPRISE ENTERPRISES
EPICERIE EXPRESS FASHION FLORIST FLOWERS FOODS FOODCOURT FRESH FRUITS FURNITURE GALLERY GARAGE GARDEN GARDENS GENERAL
GIFTS GLOBAL GROCER GROCERY GROUP HARDWARE HEALTH HOLDINGS HOTEL HOUSE HYPERMARKET IMPORT INDUSTRIES INDUSTRY
INTERNATIONAL JEWELLERY JEWELRY KEDAI KITCHEN KOPITIAM LAUNDRY LIBRAIRIE LIGHTING LIMITED LOGISTICS MACHINERY
MAISON MAKANAN MANAGEMENT MANUFACTURING MARCHE MARKET MARKETING MARKETS MEDICAL MINIMARKET MOBILE MOTOR MOTORS
NOODLE NOODLES OPTICAL OUTLET PAPETERIE PARKING PASTRY PATISSERIE PETROL PETROLEUM PHARMACIE PHARMACY PHOTO PIZZA
PIZZERIA PLASTIC PRINTING PRODUCTS PROPERTIES RESOURCES RESTAURANT RESTAURANTS RESTORAN RETAIL ROTISSERIE SALON
SEAFOOD SERVICE SERVICES SHOPPING SOLUTIONS SPORTS STATION STATIONER STATIONERS STATIONERY STEAKHOUSE STORE STORES
STUDIO SUPERMARCHE SUPERMARKET SUPERSTORE SUPPLIER SUPPLIES SUPPLY SYSTEMS TAILOR TAVERN TECHNOLOGY TEXTILE TEXTILES
TOBACCO TRADERS TRADING TRAITEUR TRANSPORT TRAVEL TYRES VILLAGE WHOLESALE WORKSHOP
JOHOR KEDAH KELANTAN MALAYSIA MELAKA PAHANG PERAK PERLIS PENANG PINANG SABAH SARAWAK SELANGOR TERENGGANU
KUALA LUMPUR PUTRAJAYA LABUAN SINGAPORE FRANCE PARIS
`
  .split(/\s+/)
  .filter(Boolean);

const LEXICON = new Set(WORDS);

/** Letters OCR confuses with each other (shapes that differ by a stroke). */
const CONFUSABLE: readonly string[] = ['IL1JT!|', 'O0GCDQU', 'HMNK', 'EFB', 'B8R', 'S5', 'UV', 'Z2', 'A4'];

const confusable = (a: string, b: string): boolean => CONFUSABLE.some((g) => g.includes(a) && g.includes(b));

/** Same length, one position different, and those two letters are an OCR confusion. */
const oneConfusion = (a: string, b: string): boolean => {
  if (a.length !== b.length || a === b) return false;
  let at = -1;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue;
    if (at >= 0) return false;
    at = i;
  }
  return at >= 0 && confusable(a[at] as string, b[at] as string);
};

/** The trade word an OCR-misread word (5+ letters) stands for, if exactly one is a confusion away. */
export const tradeWordFor = (word: string): string | undefined => {
  const up = word.toUpperCase();
  if (up.length < 5 || LEXICON.has(up) || !/^[A-Z]+$/.test(up)) return undefined;
  const found = WORDS.filter((w) => oneConfusion(up, w));
  return found.length === 1 ? found[0] : undefined;
};

/** Every word of a name that is a misread trade word, in that word's spelling (case kept). */
export const repairTradeWords = (name: string): string =>
  name.replace(/\p{L}{5,}/gu, (w) => {
    const v = tradeWordFor(w);
    if (!v) return w;
    return w === w.toUpperCase() ? v : v.charAt(0) + v.slice(1).toLowerCase();
  });
