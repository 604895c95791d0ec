"""The words triage reads, grouped by what they mean (French and English, accent-free lower case).

A **cue family** is a list of words and phrases that mean one thing ("a hazard", "someone else did it", "a
heating appliance"); `*` marks a stem (`etincel*` finds étincelle, étincelles, étincelait). A **risk** is
recognised by a meaning-bearing combination of families (a hazard at a place, an order with "not me"), or by a
family strong enough on its own (`fuite de gaz`, `avocat`): a single word such as "sécurité" or "danger" in an
option's name raises nothing. Brands add words to any family with TRIAGE_RULES `{"cues": {"family": [...]}}`.

Families whose name starts with a risk (`fraud`, `safety`...) are that risk's words on their own; the others are
ingredients of the combinations in RISK_RECIPES.
"""

from __future__ import annotations

RISKS: dict[str, tuple[str, int]] = {
    # risk family: (what an agent reads, points inside the urgent band)
    "fraud": ("fraud or account takeover", 40),
    "safety": ("a safety hazard", 40),
    "vulnerable": ("a vulnerable customer", 35),
    "personal_data": ("personal data exposed", 30),
    "legal": ("legal action or a regulator", 25),
    "outage": ("a widespread outage", 20),
}

CUES: dict[str, tuple[str, ...]] = {
    # --- strong on their own ---------------------------------------------------------------------------------
    "fraud": (
        "scammed", "scammer*",
        "usurpation*", "identity theft", "vol d'identite", "stolen identity",
        "sim swap*", "swap de sim", "pirate", "pirates", "piratee", "piratage", "pirater", "hack", "hacked", "hacker*",
        "hacking", "compte vole", "account stolen", "stolen account", "account takeover", "took over my account",
        "taken over my account", "pris le controle", "vol de compte", "faux conseiller", "fausse conseillere",
        "fake advisor", "fake agent", "spoof*", "someone logged into", "someone has logged into",
        "quelqu'un s'est connecte", "quelqu'un a acces", "someone has access", "someone else has access",
        "scammed", "been scammed", "me suis fait arnaque*", "j'ai ete arnaque*", "je me suis fait avoir",
        "victime d'une arnaque", "victime d'arnaque", "victime d'escroquerie", "victim of fraud", "victim of a scam",
        "fraudulent*", "fraudule*", "usurpe mon", "usurpe ma", "stole my identity", "volé mon identite",
        "vole mon identite", "taken out in my name", "ouvert a mon nom", "opened in my name",
        "using my identity", "utilise mon identite", "utilisent mon identite", "used my identity",
        "stolen my identity", "stole my identity", "vol de mon identite", "my identity was stolen",
        "mon identite a ete volee", "usurpe mon identite",
    ),
    "safety": (
        "fuite de gaz", "gas leak", "leaking gas", "odeur de gaz", "smell of gas", "smells of gas", "smell gas",
        "smelling gas", "sent le gaz", "electrocut*", "electrise*", "electric shock", "choc electrique",
        "got a shock", "une decharge", "pris le jus", "incendie*", "on fire", "caught fire", "pris feu", "en feu",
        "flammes", "flames", "explos*", "court-circuit*", "short circuit*", "short-circuit*", "etincel*", "spark*",
        "fumee*", "smoke", "smoking", "smoulder*", "burning smell", "odeur de brule", "sent le brule", "crame*",
        "surchauff*", "overheat*", "dangereu*", "dangerous", "dangerously", "unsafe", "hazard*", "blesse*",
        "injur*", "s'est fait mal", "hurt himself", "hurt herself", "hurt myself", "got hurt", "sparks", "melted",
        "melting", "a fondu", "fondu", "brule", "brulee", "scorch*", "charred", "noirci*", "risque d'incendie",
        "fire risk", "fire hazard", "tension apparente",
        "oeuf pourri", "oeufs pourris", "rotten egg", "rotten eggs", "odeur d'oeuf",
        "monoxyde", "monoxide", "co alarm", "alarme co", "detecteur de co", "detecteur co", "carbon monoxide",
        "detecteur de monoxyde",
    ),
    "vulnerable": (
        "personne vulnerable", "vulnerable customer", "client vulnerable", "cliente vulnerable",
        "oxygen*", "oxygene", "concentrateur", "respirateur*", "ventilator*", "dialys*", "cpap", "apnee", "apnoea",
        "apnea", "stairlift", "stair lift", "monte-escalier", "monte escalier", "teleassistance", "tele-assistance",
        "care alarm", "pendant alarm", "personal alarm", "lifeline", "lit medicalise", "hospital bed", "feeding pump",
        "medical equipment", "materiel medical", "equipement medical", "appareil medical", "medical device",
        "home oxygen",
    ),
    "kin": (
        "grand-mere", "grand-pere", "grand mere", "grand pere", "grands-parents", "mamie", "mamy", "papy", "papi",
        "grandma", "grandmother", "grandad", "granddad", "grandfather", "granny", "my nan", "my gran", "ma mere",
        "mon pere", "my mum", "my mom", "my dad", "my mother", "my father", "vit seule", "vit seul", "lives alone",
        "lives on her own", "lives on his own",
        "baby", "bebe", "my baby", "mon bebe", "the baby", "le bebe", "les enfants", "the kids", "my kids",
        "mes enfants", "my children", "les petits",
    ),
    "hardship": (
        "panne*", "down", "outage", "coupure*", "coupe", "coupee", "cut off", "no internet", "pas d'internet",
        "plus d'internet", "sans internet", "pas de reseau", "plus de reseau", "no signal", "no service",
        "hors service", "dead", "sans electricite", "no power", "power cut", "pas de courant", "plus de courant",
        "plus d'electricite", "plus de chauffage", "pas de chauffage", "sans chauffage", "no heating", "no heat",
        "no hot water", "pas d'eau chaude", "plus d'eau chaude", "dans le noir", "in the dark", "no phone", "no line",
        "plus de ligne", "pas de ligne", "sans telephone", "sans ligne", "can't", "cannot", "can not", "unable",
        "impossible", "peut pas", "peux pas", "ne peut", "ne peux", "run out", "ran out", "fail*", "echoue*",
        "keeps failing", "not working", "ne marche", "marche plus", "ne fonctionne", "fonctionne plus",
        "sitting in her coat", "sitting in his coat",
        "ring straight away", "n'a plus",
        "plus rien", "blocked", "bloque*", "coupes", "disconnect*", "deconnect*", "cut",
        "can't call", "cannot call", "can't phone", "ne peut pas appeler", "peut plus appeler", "no way to call",
        "sans telephone", "sans ligne", "sans chauffage", "sans electricite", "sans courant", "without power",
        "without heating", "without a phone", "has no phone", "has no heating", "has no power", "no dial tone",
        "pas de tonalite", "plus de tonalite",
        "muet", "muette", "line is dead", "dead line", "ligne morte", "ne sonne plus", "no ring", "plus de son",
    ),
    "no heat": (
        "plus de chauffage", "pas de chauffage", "sans chauffage", "no heating", "no heat", "no hot water",
        "pas d'eau chaude", "plus d'eau chaude", "sans eau chaude", "froid", "cold", "freezing", "gele", "on gele",
        "glacial", "caille",
    ),
    "vulnerable person": (
        "personne agee", "personnes agees", "agee", "agees", "elderly", "pensioner*", "old lady", "old man",
        "vieille dame", "vieux monsieur",

        "disabled", "disabilit*", "aveugle*", "blind", "malvoyant*",
        "partially sighted", "sourde", "fauteuil roulant", "wheelchair", "mobilite reduite",
        "alzheimer*", "dementia", "demence", "paralys*", "bedridden", "alite*", "grabataire", "oxygen*", "oxygene",
        "concentrateur", "respirateur*", "ventilator*", "dialys*", "apnee", "apnoea", "apnea", "cpap",
        "teleassistance", "tele-assistance", "care alarm", "carephone", "lifeline", "pendant alarm",
        "personal alarm", "alarm pendant", "stairlift", "stair lift", "monte-escalier", "monte escalier",
        "lit medicalise", "hospital bed", "insulin*", "insuline", "pacemaker", "defibrillat*", "medical equipment",
        "materiel medical", "equipement medical", "appareil medical", "medical device", "feeding pump",
        "nourrisson*", "newborn*", "nouveau-ne", "nouveau-nee", "nouveau ne",
        "enceinte", "pregnant", "premature*", "infant*", "chimio*", "chemo*", "cancer", "palliati*", "greffe",
        "transplant*", "hospitalise*", "discharged from hospital", "sortie d'hopital", "sorti de l'hopital",
        "sortie de l'hopital", "just out of hospital", "convalesc*", "seriously ill", "gravement malade",
        "tres malade", "terminally ill", "immunodeprim*", "immunocompromised",
        "medical condition", "medically", "auxiliaire de vie",

        "handicap", "handicape", "handicapee", "handicapes", "en situation de handicap", "malentendant*",
        "hard of hearing", "deaf and", "is deaf", "am deaf", "je suis sourd", "je suis sourde", "est sourd",
        "est sourde", "octogenaire*", "nonagenaire*", "septuagenaire*", "centenaire*",
        "complications", "grossesse", "pregnancy", "weeks pregnant", "semaines de grossesse", "hospital", "hopital",
        "l'hopital", "bedbound", "bed-bound", "disabled son", "disabled daughter", "sick child", "enfant malade",
        "bebe malade",
    ),
    "legal": (
        "tribunal", "tribunaux",
        "court case", "court action", "court claim", "county court", "small claims",
        "lawsuit*", "sue", "suing", "sued", "en justice", "poursuites", "huissier*", "bailiff*",
        "mise en demeure", "formal notice", "letter before action", "porter plainte", "deposer plainte",
        "depose plainte", "deposerai plainte", "portee plainte", "plainte contre", "police report",



        "class action",
        "action collective", "action de groupe",
        "legal action", "action en justice",

        "take you to court",
        "taking you to court", "see you in court", "voir au tribunal", "devant le tribunal", "devant les tribunaux",

    ),
    "personal_data": (
        "fuite de donnees", "data breach", "data leak", "donnees ont fuite", "leaked my", "leak of my",
        "someone else's bill", "someone else's details", "someone else's data",
        "someone else's address", "someone else's account", "someone else's name", "another customer's",
        "d'un autre client", "d'une autre cliente", "d'un autre abonne", "other customers' details",
    ),
    "outage": (
        "panne generale", "panne geante", "panne massive", "panne generalisee", "massive outage",
        "widespread outage", "general outage", "nationwide", "national outage", "across the country",
        "dans toute la france", "whole country", "tout le pays", "thousands", "milliers", "des centaines",
        "hundreds of",
    ),
    # --- ingredients of combinations -------------------------------------------------------------------------
    # fraud
    "scam word": (
        "arnaque*", "arnaqu*", "escroc*", "escroquer*", "scam", "scams", "scammer*", "fraud", "fraude", "fraudes",
        "phishing", "hameconn*", "usurp*",
    ),
    "mine": (
        "mon compte", "my account", "ma carte", "my card", "ma banque", "my bank", "mon argent", "my money",
        "mes coordonnees", "my details", "mon numero", "my number", "debite*", "preleve*", "charged", "taken from",
        "paid", "paye", "payee", "virement", "transfer", "j'ai clique", "i clicked", "j'ai donne", "i gave",
        "j'ai rentre", "i entered", "mes codes", "my codes", "mon rib", "my iban", "mon iban", "mes identifiants",
        "my login", "ma ligne", "my line", "ma sim", "my sim",
    ),
    "unasked thing": (
        "commande*", "order*", "contrat*", "contract*", "abonnement*", "subscription*", "ligne", "line", "compte",
        "account", "souscri*", "forfait*", "plan", "sim", "esim", "e-sim", "carte sim", "iphone", "telephone",
        "phone", "prelevement*", "debit*", "charge", "charges", "charged", "paiement*", "payment*", "transaction*",
        "credit", "loan", "pret", "purchase*", "achat*", "box", "numero", "number",
    ),
    "not me": (
        "pas moi", "not me", "wasn't me", "wasnt me", "someone else", "quelqu'un d'autre", "a stranger",
        "un inconnu", "une inconnue", "inconnu", "inconnue", "inconnus", "unknown", "don't recognise",
        "don't recognize", "dont recognise", "dont recognize", "do not recognise", "do not recognize",
        "didn't recognise", "ne reconnais", "reconnais pas", "sans mon accord", "sans mon consentement",
        "without my consent", "without my permission", "without my knowledge", "a mon insu",
        "a mon nom", "in my name", "under my name", "never ordered",
        "jamais commande", "never signed", "jamais signe", "jamais souscrit", "never subscribed",
        "never asked for", "jamais demande", "didn't order", "did not order", "didn't make", "didn't place",
        "never placed", "never made", "never opened", "jamais ouvert",
        "not authorised", "not authorized", "fraudulent*",
        "connexion inconnue", "appareil inconnu", "unknown device",
        "rien demande", "j'ai rien demande", "didn't ask for", "did not ask for", "never asked", "i did not do",
        "didn't do this", "did not do this", "pas moi qui", "c'est pas moi", "ce n'est pas moi", "never been to",
        "never lived", "jamais habite", "jamais mis les pieds", "i've never been", "jamais ete",
        "someone ordered", "someone used", "someone opened", "someone has used", "someone has opened",
        "someone took out", "quelqu'un a commande", "quelqu'un a utilise", "quelqu'un a souscrit",
        "quelqu'un a ouvert", "quelqu'un a pris", "a stranger's", "un inconnu a",
        "someone has", "somebody has", "someone changed", "somebody changed", "quelqu'un a change",
        "quelqu'un a modifie", "somebody else",
    ),
    "unauthorised": (
        "non autoris*", "unauthori*", "pas autorise*", "not authorised", "not authorized", "sans autorisation",
        "without authorisation", "without authorization",
    ),
    "money": (
        "prelevement*", "preleve*", "debit*", "charge", "charges", "charged", "paiement*", "payment*", "transaction*",
        "virement*", "achat*", "purchase*", "withdrawal*", "retrait*", "facture*", "bill",
    ),
    "moved away": (
        "transfere*", "transfer*", "portee", "portabilite", "ported", "moved", "swapped", "switched",
        "autre telephone", "another phone", "someone else's phone", "quelqu'un d'autre", "activated on",
        "activee sur", "active sur", "nouvelle sim", "new sim", "another sim", "autre sim", "autre carte sim",
        "desactive*", "deactivated", "no longer works on", "ported out", "code rio", "pac code",
        "replaced", "remplacee", "remplace", "swap", "echange", "echangee",
    ),
    "secret": (
        "code", "codes", "iban", "rib", "carte bancaire", "card details", "card number", "bank details",
        "coordonnees bancaires", "password", "mot de passe", "mdp", "identifiant*", "login details", "pin", "cvv",
        "cryptogramme", "numero de carte", "otp", "verification code", "code de verification", "code secret",
        "sort code", "security code", "one-time",
        "email", "adresse mail", "e-mail", "carte bleue", "cb", "numero de cb",
    ),
    "gave away": (
        "donne", "donnee", "gave", "given", "entered", "rentre", "saisi", "communique", "typed", "clicked",
        "clique", "cliquer", "click on", "filled in", "rempli", "read out", "lu le code", "transmis", "envoye",
        "sent them", "shared",
        "mis ma carte", "mis ma cb", "mis mes coordonnees", "entered my card", "put my card", "typed my", "donne mon",
        "donne mes", "gave my", "gave them",
        "read them", "read out", "lu", "dicte", "gave him", "gave her", "donne a",
    ),
    "impostor": (
        "se faisant passer", "se faisait passer", "posing as",
        "soi-disant", "soi disant", "claimed to be", "claiming to be", "pretendait", "impersonat*",
        "faux conseiller", "fausse conseillere", "faux sms", "faux mail", "faux site", "faux technicien",
        "faux agent", "faux appel", "faux numero", "fake", "bogus", "pretending to be", "pretended to be",
        "pretendait etre", "se presentant comme", "un soi-disant", "une soi-disant",
        "c'etait pas vous", "c'etait pas de vous", "was not you", "wasn't you", "wasnt you", "pas de chez vous",
        "not from you", "isn't you", "n'etait pas vous",
        "saying they were from", "said they were from", "saying they are from", "se disant de", "disant etre de",
        "pretending to be from", "claiming to be from", "said he was from", "said she was from", "se presentant de",
        "is that you", "is that actually you", "is this you", "is this really you", "was that you", "c'est vous",
        "c'est bien vous", "c'etait vous", "is this legit", "is it legit", "c'est legit", "c'est une arnaque",
        "is this a scam",
    ),
    "changed": ("change", "changed", "changee", "modifie*", "modified", "reset", "reinitialise*", "updated"),
    "login": (
        "connexion", "connexions", "login", "logins", "logged in", "log in", "sign-in", "sign in", "signed in",
        "connecte", "connectee",
        "nouvelle connexion", "new sign-in", "new login", "connexion inconnue", "appareil inconnu", "unknown device",
        "new device",
    ),
    "contact channel": (
        "sms", "texto", "text", "lien", "link", "mail", "email", "appel", "call", "called", "appele",
        "whatsapp", "message",
    ),
    # safety
    "gas": ("gaz", "gas"),
    "smell or leak": (
        "odeur*", "smell*", "ca sent", "sent le", "sent la", "sent l'", "sent fort", "sent mauvais", "sent bizarre",
        "on sent", "je sens", "sens", "sentir", "sentait", "fuite*", "leak*", "whiff", "reek*", "pue", "stink*",
        "sniff*", "hiss*", "siffle*",
    ),
    "street equipment": (
        "cable*", "fil", "fils", "wire*", "wiring", "poteau*", "pole", "poles", "telegraph pole", "armoire*",
        "cabinet*", "borne*", "trappe", "regard", "manhole", "plaque", "cover", "boitier*", "junction box",
        "pylone*", "pylon*", "lampadaire*", "compteur", "meter",
        "gaine*", "fils electriques", "electrical wires",
        "arbre", "tree", "branche", "branch",
    ),
    "exposed or down": (
        "denude*", "a nu", "exposed", "bare", "sous tension", "pend*", "hanging", "dangl*", "trailing",
        "traine*", "au sol", "par terre", "on the ground", "on the pavement", "sur le trottoir", "trottoir",
        "pavement", "sidewalk", "across the road", "en travers", "tombe", "tombee", "tombes", "fallen", "fell",
        "arrache*", "ripped", "torn", "penche*", "leaning", "grande ouverte", "grand ouvert", "wide open",
        "left open", "laisse ouvert", "laissee ouverte", "knocked", "renverse*", "couche*", "crashed into",
        "hole", "trou", "tranchee", "trench", "in the road", "dans la rue", "sur la route",
        "depasse*", "sticking out", "poking out",
        "missing", "manquant", "manquante", "sans couvercle", "no cover", "arrachee", "snapped", "casse net",
        "sectionne*", "coupe en deux",
    ),
    "device": (
        "box", "routeur", "router", "chargeur", "charger", "batterie", "battery", "prise*", "socket*", "plug*",
        "compteur", "meter", "decodeur", "tv box", "modem", "adaptateur", "adapter", "transfo*", "alimentation",
        "power supply", "telephone", "phone", "cable*", "fil", "wire*", "tableau electrique", "fuse*",
        "disjoncteur*",
    ),
    "heat or burn": (
        "chaud", "chaude", "hot", "brulant*", "boiling", "tres chaud", "too hot", "melt*", "fondre",
        "gonfle*", "swollen", "bulging", "buzz*", "gresill*", "crackl*", "crepit*", "bang",
        "fume", "fumer", "odeur", "smell*", "blackened", "burn*", "brul*",
    ),
    "water": (
        "eau", "water", "fuite d'eau", "inond*", "flood*", "degat des eaux", "ruissel*", "drip*", "goutte*",
        "coule", "leaking", "leak", "wet", "mouille*", "humid*", "infiltration*", "damp",
    ),
    "electrics": (
        "electr*", "prise*", "socket*", "tableau", "fuse*", "box", "cable*", "wire*",
        "wiring", "plafonnier", "disjonct*", "switch*", "interrupteur*", "plug*",
    ),
    "worker": (
        "technicien*", "technician*", "engineer*", "installateur*", "installer*", "ouvrier*", "workmen", "workman",
        "contractor*", "sous-traitant*", "intervenant*",
    ),
    "left unsafe": (
        "trou", "hole", "grande ouverte", "wide open", "left open", "laisse ouvert", "laissee ouverte", "denude*",
        "exposed", "bare", "sous tension", "live wire*", "tranchee", "trench",
        "sans protection", "unprotected", "no cover", "sans capot", "sans couvercle", "a nu", "trailing",
        "ouvert", "ouverte", "open", "depasse*", "sticking out", "poking out", "qui pendent", "hanging out", "dangling",
    ),
    "shock": (
        "jolt", "jolted", "zapped", "zap", "zaps", "tingl*", "picot*", "fourmill*", "chataigne", "secousse",
        "decharge", "shock", "shocked me", "buzzed me", "m'a secoue", "m'a pique", "pris le courant", "pris du jus",
        "coup de jus", "numb",
    ),
    # vulnerable
    "heating": (
        "chauffage", "heating", "heat", "chaudiere", "boiler", "radiateur*", "radiator*", "eau chaude",
        "hot water", "chaleur", "pompe a chaleur", "heat pump",
    ),
    "cold": (
        "froid", "froide", "cold", "freezing", "frozen", "gele", "geler", "gelee", "gelent", "on gele", "glacial*",
        "caille", "frigorifi*", "congele*", "icy", "chilly",

    ),
    "no way to call": (
        "seul moyen", "only way", "only phone", "only line", "seule ligne", "appeler les secours",
        "call for help", "emergency services", "secours", "samu", "pompiers", "999", "112", "911", "les urgences",
        "numero d'urgence", "emergency call*", "emergency number", "call an ambulance", "appeler un medecin",
        "call a doctor", "ambulance", "appeler a l'aide", "can't call anyone", "cannot call anyone",
        "ne peut appeler personne", "peut pas appeler", "can't call for", "cut off from", "coupee du monde",
        "isole", "isolee", "isolated",
    ),
    "health": (
        "breathing", "respiratoire", "respirer", "respiration", "medical*", "medic*", "sante", "health", "soins",
        "medecin", "doctor", "gp", "nurse", "infirmier*",
    ),
    "health need": (
        "equipment", "device", "condition", "appareil*", "equipement*", "materiel", "machine",
        "alarm", "alarme", "suivi", "monitor*",
    ),
    # personal data
    "another person": (
        "quelqu'un d'autre", "someone else", "someone else's", "another customer", "un autre client",
        "une autre cliente", "autre abonne", "une autre personne", "another person", "a stranger", "un inconnu",
        "une inconnue", "pas le mien", "pas la mienne", "not mine", "pas a moi", "wrong person", "not my name",
        "pas mon nom", "in the name of", "other people's",
        "other customers", "des autres clients", "strangers", "un voisin", "a neighbour", "a neighbor",
        "my neighbour's", "my neighbor's", "de mon voisin", "de ma voisine",
        "a mr", "a mrs", "a ms",
        "d'un certain", "d'une certaine", "d'un monsieur", "d'une dame", "d'une madame", "de quelqu'un",
        "a certain mr", "a certain mrs", "somebody else's", "somebody else",
        "ses infos", "ses coordonnees", "son rib", "son iban", "his bank details", "her bank details",
        "their bank details", "his details", "her details", "their details", "mon ancien voisin", "ma voisine",
        "my old neighbour", "previous occupant",
    ),
    "document": (
        "facture*", "bill", "bills", "invoice*", "contrat*", "contract*", "iban", "rib", "adresse*", "address*",
        "courrier*", "letter*", "releve*", "statement*", "donnees", "data", "details", "coordonnees", "nom",
        "name", "espace client", "dossier", "document*", "infos", "information*", "email*", "mails",
        "date de naissance", "date of birth", "bank", "phone number", "numero de telephone", "payslip",
        "infos bancaires", "coordonnees bancaires", "bank details", "relevés", "releves bancaires",
    ),
    "my details": (
        "mes donnees", "my data", "my details", "mes infos", "mes informations", "my personal", "mes coordonnees",
        "my address", "mon adresse", "my information", "personal information", "informations personnelles",
        "donnees personnelles", "personal data", "personal details", "my name", "mon nom", "mon iban", "my iban",
        "my bank", "my phone number", "mon numero", "my email", "mon email", "mon mail", "my account details",
        "ma facture", "my bill", "mon contrat", "my contract",
        "nos adresses", "nos donnees", "our addresses", "our details", "our data", "nos numeros", "nos coordonnees",
        "our names", "nos noms", "customers' addresses", "adresses des clients",
        "my full address", "my full name", "mon adresse complete", "my home address", "my account number",
        "mon numero de compte", "my postcode", "mon code postal", "my date of birth", "ma date de naissance",
    ),
    "exposure": (
        "visible*", "expos*", "public*", "fuite*", "leak*", "vendu*", "sold",
        "accessible", "anyone can", "s'affiche en entier", "affiche en entier", "affiche publiquement",
        "affichee publiquement", "affiches publiquement", "affiche le nom", "affiche les noms", "affiche l'adresse",
        "affiche les coordonnees",
        "tout le monde peut", "n'importe qui", "others can", "d'autres clients", "other customers",

        "shared with", "partagees avec", "partagee avec", "en clair", "in plain text", "displayed to", "visible to",
        "divulg*", "disclosed", "revealed", "devoile*", "leaked",
        "en copie visible", "copie visible", "in cc", "cc'd", "en copie", "to everyone", "a tout le monde", "a 200",
        "reply all",
        "publish*", "publie*", "in your reply", "dans votre reponse", "public tweet", "tweet public",
    ),
    "asked publicly": (
        "en public", "publicly", "in public", "in a reply", "en commentaire", "in the replies", "public reply",
        "reponse publique", "in a tweet", "dans un tweet", "sur twitter", "on twitter",
    ),
    "asked": ("demande*", "ask*", "you want", "vous voulez", "request*", "post", "poster", "send", "envoyer"),
    "authority": (
        "avocat*", "lawyer*", "solicitor*", "attorney*", "juge", "judge", "arcep", "cnil", "dgccrf", "mediateur*",
        "mediatrice", "mediation", "ombudsman", "ombudsmen", "que choisir", "60 millions", "signalconso",
        "signal conso", "ofcom", "ofgem", "ico", "information commissioner", "trading standards", "citizens advice",
        "fcc", "ftc", "bbb", "better business bureau", "commission europeenne", "european commission",
        "code de la consommation", "consumer rights act", "regulator*", "regulateur*", "defenseur des droits",
        "conciliateur*", "watchdog", "cisas", "adr scheme", "police", "gendarmerie", "court", "tribunal",
        "energy ombudsman", "consumer council", "which?", "dgccrf", "prefecture", "depute", "mp", "my mp",
        "ma deputee", "mon depute",
        "justice", "la justice", "the courts", "les tribunaux", "prud'hommes", "conciliat*",
        "ufc", "ufc-que choisir", "ufc que choisir", "60 millions de consommateurs", "clcv", "afoc", "indecosa",
        "familles rurales", "association de consommateurs", "association de consommateurs", "consumer group",
        "consumer association", "consumers' association", "resolver", "mediateur de l'energie",
        "mediateur national", "energie-info", "cre", "arcom", "csa", "autorite de la concurrence", "acpr", "amf",
        "banque de france", "financial ombudsman", "fos", "cma", "asa", "ofwat", "ccw", "consumer council for water",
        "ombudsman services", "communications ombudsman", "energy ombudsman", "the ombudsman", "l'ombudsman",
        "legal team", "service juridique", "juriste*", "protection juridique", "legal aid", "aide juridictionnelle",
        "defense des consommateurs", "consumer rights", "droits des consommateurs", "cnil", "ico",
    ),
    "legal step": (
        "saisine", "complain*", "plainte", "escalat*", "going to", "gonna", "vais", "allons", "i'll", "i will",
        "we will", "je vais", "next step", "prochaine etape", "lodge", "lodged", "file", "filed", "raise", "raised",
        "write to", "writing to", "ecrire", "ecrit", "aller voir", "prevenir", "alerter", "alerte", "deadlock",
        "pass this to", "transmettre", "transmis", "en copie", "cc'd", "copied", "forward*", "sending this to",
        "envoyer a", "i've contacted", "j'ai contacte",
        "depos*", "saisi*", "signal*", "report*", "contact*", "refer*", "escalat*", "transfere*", "handed",
        "passed it to", "passe le dossier",
        "take this to", "taking this to", "taking it to", "take it to", "going to the", "escalate to",
        "raise it with", "complaint with", "complaint to", "plainte aupres", "porter l'affaire", "aller devant",
        "be in touch", "sera en contact", "vous contactera", "will contact you", "prendra contact", "is handling",
        "handling this", "dealing with this", "passed this to", "handed this to", "transmis a mon", "forwarded",
        "instructed", "mandate", "mandaté", "mandate",
        "opened a case", "opened a complaint", "lodged a complaint", "open a case", "ouvert un dossier",
        "dossier", "case", "file open*", "dossier ouvert", "case open*", "case number", "numero de dossier",
        "you'll hear from", "vous aurez de leurs nouvelles", "vous aurez des nouvelles", "hear from them",
        "entendre parler", "will be in touch", "aller plus loin", "go further", "take it further", "taking it further",
        "ouvert une reclamation", "depose un dossier",
        "written to", "wrote to", "have written", "emailed", "e-mailed", "reported you", "reported this",
        "ai ecrit", "avons ecrit", "a ecrit", "ecrit a", "ecrit au", "ecrit aux", "saisi", "saisie",
    ),
    "press": (
        "journaliste*", "journalist*", "reporter*", "presse", "press", "media", "medias", "redaction", "newsroom",
    ),
    "story": (
        "article", "story", "papier", "enquete", "publish*", "publier", "publie", "ecrire sur", "write about",
        "writing about", "reportage", "sujet sur", "piece on", "investigat*", "writing a piece", "a piece for",
        "j'ecris un article", "pour un article", "pour le journal", "for the paper", "in the paper",
        "our piece", "the piece", "my piece", "notre article", "notre sujet", "mon sujet", "emission", "broadcast",
        "chronique", "podcast", "looking into reports", "enquetons", "j'enquete", "je prepare un sujet",
        "je prepare un article", "i'm preparing a", "we're preparing a", "a report on", "un reportage",
    ),
    "press threat": (
        "looking into your", "looking into how", "statement", "declaration", "reaction", "comment on", "commenter",
        "your handling", "votre gestion", "expose", "name and shame", "story about", "article sur vous",
        "enquete sur vous", "investigating", "droit de reponse", "by 5pm", "before we publish", "avant publication",
        "going to print", "like to comment", "care to comment", "for comment", "pour commentaire",
        "comment", "want to comment", "wants to comment", "running", "their story", "running a story",
        "publish tomorrow", "reagir", "souhaitez-vous reagir", "temoignage", "temoignages", "testimon*",
        "runs", "airs", "goes out", "goes live", "sera diffuse*", "sera publie*", "parait", "paraitra",
        "votre version", "your side", "your version", "right of reply", "sans votre", "without your",
        "d'ici demain", "by tomorrow", "by thursday", "by monday", "deadline", "before publication", "avant diffusion",
        "do you want to comment", "would you like to comment", "any comment", "un commentaire", "une reaction",
        "votre reaction", "your response", "votre reponse", "on the record", "dms open", "dm open",
    ),
    "bank secret": (
        "banking password", "bank password", "mot de passe bancaire", "mot de passe de ma banque",
        "mot de passe banque", "code de carte", "card pin", "pin", "cvv", "cryptogramme", "code secret",
        "full card number", "online banking", "password", "mot de passe", "mdp", "numero de carte complet",
        "code de verification", "verification code", "one-time code", "code a usage unique",
    ),
    "asked me": (
        "asked me to", "asked me for", "m'a demande", "me demande", "vous me demandez", "asking me for",
        "asking me to", "wants my", "veut mon", "veut ma", "demande mon", "demande ma", "asked for my",
        "me demandent", "m'ont demande", "told me to type", "m'a dit de taper", "me fait taper",
    ),
    # personal data: the brand's customer records out in the open
    "customer records": (
        "base clients", "base client", "base de donnees clients", "base de donnees client", "fichier client*",
        "fichiers clients", "donnees clients", "donnees des clients", "donnees de clients", "customer database",
        "customer data", "customers' data", "customer records", "customer list", "customer details", "client data",
        "clients' data", "vos clients", "your customers'", "des abonnes", "subscriber data",
    ),
    "out in the open": (
        "circul*", "forum*", "dark web", "darkweb", "darknet", "en vente", "for sale", "sold", "vendu*", "dump*",
        "fuite*", "fuit*", "leak*", "breach*", "piratage", "hack*", "vole*", "stolen", "expos*", "publie*",
        "published", "online for anyone", "telegram", "pastebin", "zataz", "have i been pwned", "pwned",
    ),
    # outage
    "many places": (
        "tout le quartier", "toute la rue", "tout l'immeuble", "toute la residence", "tout le village",
        "toute la ville", "toute la commune", "tout le departement", "toute la region", "tous les voisins",
        "tous mes voisins", "les voisins aussi", "mes voisins aussi", "voisins egalement", "voisins pareil",
        "voisins ont plus", "voisins n'ont plus", "voisins ont le meme", "voisins ont la meme", "voisins ont aussi",
        "neighbours too", "neighbors too", "neighbours as well", "neighbors as well",
        "neighbours also", "all my neighbours", "all my neighbors", "all the neighbours", "all the neighbors",
        "whole street", "entire street", "whole road", "whole block", "whole building", "whole estate",
        "whole village", "whole town", "whole city", "whole area", "entire area", "whole region", "whole of",
        "entire town", "entire city", "entire village", "everyone in", "everyone on", "everybody in",
        "everybody on", "everyone around",
        "tout le secteur", "whole postcode", "whole neighbourhood", "whole neighborhood",
        "the neighbourhood", "le quartier", "half the town", "la moitie de", "plusieurs villes", "several towns",
        "whole county", "whole department", "many people", "beaucoup de monde", "lots of people",
        "plein de gens", "loads of people",
        "les collegues", "collegues", "colleagues", "the whole office", "tout le bureau", "personne au bureau",
        "nobody in", "nobody at", "personne dans", "my whole office", "our office", "au bureau",
        "residents", "right across", "across the village", "across town", "across the town", "dozens of",
        "des dizaines", "tout le hameau", "the whole village",
    ),
    "failure": (
        "panne*", "down", "outage", "coupure*", "coupe", "coupee", "coupes", "no internet", "pas d'internet",
        "plus d'internet", "sans internet", "pas de reseau", "plus de reseau", "no signal", "no service",
        "hors service", "dead", "sans reseau", "sans electricite", "no power", "power cut", "pas de courant",
        "plus de courant", "plus d'electricite", "dans le noir", "in the dark", "no network", "no connection",
        "offline", "hs", "not working", "ne marche", "marche plus", "ne fonctionne", "rien ne marche", "no wifi",
        "pas de wifi", "plus de wifi", "no broadband", "no tv", "plus de tele", "no phone", "no mobile",
        "no data", "no 4g", "no 5g", "pas de 4g", "ca capte plus", "capte rien", "no bars", "blackout",
        "plus d'electricite", "sans courant", "no electricity", "power outage", "power's out", "power is out",
        "lights out",
        "plus de fibre", "plus de jus", "pas de jus", "tombe", "tombee", "est tombee", "vient de tomber", "morte",
        "fibre morte", "0 mb", "0 mb/s", "0mb", "zero bars", "no bars", "aucun service", "no service", "sos only",
        "can't make calls", "cant make calls", "cannot make calls", "calls keep failing", "keeps failing",
        "data's dead", "s'est arrete", "se sont arretes", "coupure d'elec", "coupure de courant", "stopped working",
        "not loading", "won't load", "spinning", "freezing", "stuck on", "bloque sur",
        "n'a de reseau", "n'ont plus de reseau", "n'a plus de reseau", "no network", "pas de signal",
        "no landline", "pas de fixe", "plus de fixe", "plus de ligne fixe", "no phone line",
    ),
    "service internet": (
        "internet", "fibre", "fiber", "broadband", "box", "wifi", "wi-fi", "adsl", "vdsl", "connexion", "connection",
        "router", "routeur", "modem", "debit", "los", "net", "ethernet", "mbps", "mb/s", "gb/s", "ftth",
        "la co", "ma co", "de co",
    ),
    "service mobile": (
        "reseau", "network", "signal", "4g", "5g", "3g", "mobile", "portable", "sim", "esim", "appels", "calls",
        "sms", "texto", "data", "donnees mobiles", "bars", "barres", "sos only", "urgence uniquement", "phone",
        "telephone",
    ),
    "service power": (
        "electricite", "electricity", "courant", "power", "lights", "compteur", "linky", "meter", "disjoncteur",
        "prepayment", "prepay",
        "elec", "jus", "frigo", "fridge", "lampadaires", "street lights", "lumieres", "electrique", "electric",
    ),
    "service tv": (
        "tv", "tele", "telly", "television", "decodeur", "chaines", "channels", "replay", "canal", "bein",
    ),
    "service app": (
        "appli", "app", "application", "site", "website", "espace client", "my account", "login",
        "connexion a l'appli", "paiement en ligne",
    ),
    "service gas": ("gaz", "gas", "gas supply", "alimentation en gaz"),
    "service water": ("eau", "water", "eau courante", "running water", "water supply", "robinet*", "tap", "taps"),
    # --- what kind of message -------------------------------------------------------------------------------
    "noise": (
        "avoid suspension", "eviter la suspension", "community guidelines", "regles de la communaute",
        "copyright violation", "violation des droits", "verify ownership", "verify your account",
        "verifiez votre compte", "will be suspended", "sera suspendu", "will be restricted", "sera restreint",
        "within 24 hours", "within 24h", "sous 24h", "sous 24 heures",
        "crypto*", "bitcoin", "btc", "eth", "usdt", "airdrop*", "nft", "nfts", "forex", "binary option*",
        "investment opportunit*", "opportunite d'investissement", "earn money", "gagner de l'argent", "dm me",
        "dm for", "check my bio", "link in bio", "lien en bio", "click here", "cliquez ici", "free followers",
        "followers gratuits", "buy followers", "onlyfans", "whatsapp", "telegram", "100x", "to the moon",
        "passive income", "revenu passif", "free iphone", "iphone gratuit", "you won", "vous avez gagne",
        "claim your", "recovery expert", "recover your funds", "recuperer vos fonds", "hacker for hire",
    ),
    "contest": (
        "concours", "#concours", "giveaway*", "#giveaway", "jeu concours", "jeu-concours", "tirage au sort",
        "je participe", "participe", "je tente ma chance", "tente ma chance", "tenter ma chance",
        "bonne chance a tous", "good luck everyone", "rt + follow", "rt+follow", "follow + rt", "follow+rt",
        "rt & follow", "#win", "#gagner", "#contest", "#jeu", "#jeuconcours", "contest", "to win", "pour gagner",
        "tag a friend", "tag 2", "tag 3", "j'identifie", "enter me", "count me in", "pick me", "choisissez-moi",
        "#rt", "#follow", "a gagner", "win a", "#competition", "competition", "je joue",
        "fingers crossed", "croise les doigts", "#sweepstakes", "entered", "participation",
    ),
    "pitch": (
        "we help", "we can help you", "nous aidons", "notre agence", "our agency", "our team can",
        "notre solution", "our solution", "our platform", "notre plateforme", "boost your", "grow your",
        "increase your", "augmentez", "developpez", "seo", "smm", "marketing", "leads", "collab", "collaboration",
        "partenariat", "partnership", "sponsor*", "dm us", "check out our", "visit our", "decouvrez notre",
        "our services", "nos services", "we offer", "nous proposons", "book a call", "book a demo", "free audit",
        "audit gratuit", "engagement rate", "chatbot", "ai-powered", "propuls*", "growth", "b2b", "roi",
        "conversion*", "agence", "agency", "freelance*", "startup", "saas", "solution", "outil", "tool",
        "demo", "contact us", "contactez-nous", "let's connect", "let's talk", "brands like", "des marques comme",
        "consultant", "consultante", "consultants", "your response time", "votre temps de reponse", "reduce your",
        "reduire votre", "improve your", "ameliorer votre", "votre taux", "your engagement", "votre engagement",
        "i can help you", "je peux vous aider", "nous pouvons vous aider", "we could help",
        "vos clients", "your customers", "your support", "votre support", "service client ia", "ai agent",
        "automatis*", "automate*",
    ),
    "joke": (
        "mdr", "mdrr", "mdrrr", "ptdr", "lol", "lmao", "lmfao", "rofl", "haha", "hahaha", "jpp", "xd", "mort de rire",
        "rent free", "😂",
        "drole", "funny", "blague", "joke", "jk", "xptdr", "😂",
        "ngl", "ratio", "imagine working", "💀",
        "un meme", "a meme", "des memes", "the memes",
    ),
    "advert": (
        "la pub", "cette pub", "votre pub", "nouvelle pub", "the ad", "this ad", "your ad", "that ad", "the advert",
        "that advert", "your advert", "new advert", "tv ad", "spot tv", "le spot", "la musique de la pub", "advert",
        "publicite", "mascotte", "mascot",
        "sponsor", "sponsors", "maillot", "jingle", "slogan",
        "new logo", "nouveau logo",
        "sponsoris*", "sponsored", "sponsoring",
    ),
    "news": (
        "confirms", "confirme", "annonce", "announces", "announced", "invests", "investment", "investissement",
        "jobs", "emplois", "via @", "according to", "selon", "breaking", "reuters", "afp", "bbc", "franceinfo",
        "le monde", "le parisien", "the guardian", "sky news", "condamnee", "condamne", "fined", "fines", "amende",
        "headline", "press release", "communique de presse",
        "documentary", "documentaire", "reportage", "episode", "podcast", "tonight on", "ce soir sur",
    ),
    "politics": (
        "nationalis*", "actionnaires", "shareholders", "capitalis*", "government", "gouvernement", "macron",
        "net zero", "wake up", "le peuple", "the people", "politicians", "politiques", "elections", "vote", "tories",
        "labour", "rn", "lfi", "woke", "agenda", "mondialis*", "globalist*", "surveillance",
    ),
    "campaign": (
        "join us", "rejoignez-nous", "rejoignez nous", "manif*", "rassemblement", "protest*", "petition", "signez",
        "sign the", "boycott*", "rt if you agree", "rt si", "partagez", "share if", "on lache rien", "solidarite",
        "greve", "strike", "march on",
    ),
    "product": (
        "detecteur", "detector", "option", "offre", "pack", "assurance", "insurance", "protection", "compatible",
        "work with", "fonctionne avec", "add", "ajouter", "souscrire", "subscribe", "combien", "how much", "price",
        "prix", "tarif", "feature", "fonctionnalite", "abonnement a", "boutique", "shop", "buy", "acheter",
        "commander",
    ),
    "bot": (
        "thread has been saved", "read it here", "unroll", "threadreader", "saved this thread", "remind me",
        "here is your unrolled", "your video is ready", "download it here", "telecharger ici",
    ),
    "thanks": (
        "merci", "mercii*", "thanks", "thank you", "thank u", "thx", "ty", "tyvm", "cheers", "remercie*",
        "ok merci", "ok thanks", "bonne journee", "bonne soiree", "have a nice day", "have a good day",
        "grateful", "reconnaissant*", "appreciate*", "much appreciated",
        "merci beaucoup", "merci bcp", "mrc", "thank you so much", "many thanks", "big thanks", "top merci",
    ),
    "praise": (
        "super", "genial", "parfait", "bravo", "excellent", "great", "awesome", "amazing", "love", "adore",
        "nickel", "impeccable", "formidable", "perfect", "brilliant", "well done", "good job", "bien joue",
        "rapide", "efficace", "helpful", "au top", "au poil", "reactif*", "best", "meilleur*", "chapeau",
        "kudos", "shoutout", "shout out",
        "impressed", "impressionne*", "rien a dire", "5 etoiles", "5 stars", "five stars", "10/10", "smooth",
        "seamless", "painless", "sans souci", "professionnel*", "professional", "sympa",
        "adorable", "charmant*", "lovely", "friendly", "polite", "courteous", "fab", "fantastic", "superb",
        "magnifique", "incroyable", "incredible", "top notch", "spot on", "faultless", "ravi", "ravie",
        "delighted", "satisfait*", "satisfied",
        "thumbs up", "pepite", "une tuerie", "tuerie", "dinguerie", "actually fire", "pure fire", "banger", "goated",
        "au top", "c'est top", "trop top", "top merci", "top service", "legend", "legende", "lowkey fire", "is fire",
        "so fire", "straight fire", "c'est le feu", "de feu", "rock solid", "solide", "flying", "zero coupure",
        "zero panne", "zero souci", "pas une coupure", "pas une panne", "pas un souci", "aucun souci",
        "aucun probleme", "aucune coupure", "no issues", "no problems", "no problem at all", "not one outage",
        "not a single", "hasn't dropped", "never dropped", "no dropouts", "sans un lag", "bien foutu*", "gentillesse",
        "gentil", "gentille", "patience", "patient", "patiente", "shout out", "shoutout", "bravo", "kudos",
        "thumbs up", "nerd heaven", "heaven", "chuffed", "made my day", "so happy", "tres content", "tres contente",
        "ravi", "love it", "love the", "j'adore", "adore", "trop bien", "genial", "top notch", "quality", "qualite",
        "efficace", "rapide", "reactif*", "helpful", "sympa", "merci a", "thanks to", "big up", "props to",
        "hats off", "chapeau",
        "je recommande", "i recommend", "highly recommend", "would recommend", "recommend you", "recommend them",
        "je vous recommande", "a recommander", "recommande vivement",
        "service top", "vraiment top", "top top", "super service", "great service", "excellent service", "fair play",
        "respect", "merci infiniment", "thank you so much", "so grateful", "tres reactif", "tres efficace", "au poil",
        "parfait merci",
        "was a star", "is a star", "a star", "bonne annee", "joyeux noel", "merry christmas", "happy new year",
        "bonnes fetes", "happy holidays", "bon courage a", "bon courage aux", "good luck to the team",
    ),
    "resolved": (
        "ca marche", "ca fonctionne", "ca remarche", "ca refonctionne", "c'est bon", "resolu*", "regle", "reglee",
        "it works", "works now", "working again", "working now", "fixed", "sorted", "resolved", "all good",
        "tout est ok", "tout est rentre dans l'ordre", "c'est reparti",
        "ca va mieux", "up and running",
        "all sorted", "ok", "okay", "oki",
        "d'accord", "daccord", "parfait", "noted", "compris", "understood", "got it", "ca roule",
        "c'est fait", "relief", "soulage*", "ouf", "found it", "trouve", "all cancelled", "tout est annule",
        "bloque la carte",
        "reconnect*", "retabli*", "restored", "repare*", "repaired", "remis en service", "remise en service",
        "landed", "arrive", "arrived", "received", "recu", "recue", "rembourse", "refunded",
        "back to normal", "retour a la normale", "internet est revenu", "le reseau est revenu",
        "la connexion est revenue", "service is back", "it's back up", "everything's back", "tout est revenu",
        "ca remarche",
        "c'est revenu", "est revenu", "est revenue",
    ),
    # A complaint's context: thanks or praise words around it are irony, unless the problem is said to be gone.
    "problem": (
        "problem*", "probleme*", "issue*", "souci*", "panne*", "bug*", "coupure*", "outage", "down", "slow", "lent",
        "lente", "erreur*", "error*", "broken", "casse*", "sans internet", "sans reseau", "sans tele", "sans wifi",
        "sans electricite", "sans chauffage", "sans courant", "sans telephone", "sans ligne", "without internet",
        "without wifi", "without power", "without heating", "without a phone", "no internet", "no wifi",
        "no signal", "no service", "no power", "no heating", "pas d'internet", "pas de reseau", "pas de wifi",
        "plus d'internet", "plus de reseau", "ne marche", "marche pas", "marche plus", "not working",
        "doesn't work", "doesnt work", "ne fonctionne", "fonctionne pas", "fonctionne plus", "toujours pas",
        "still no", "still not", "still waiting", "toujours en attente", "waiting", "attente", "attendre",
        "j'attends", "no answer", "pas de reponse", "aucune reponse",
        "sans reponse", "ignored", "ignore", "overcharged",
        "debite*", "preleve*", "retard*", "delay*", "cancel*", "annul*", "perdu*",
        "froze", "freezes", "ecran fige*", "image fige*", "s'est fige*", "se fige*",

        "annule*", "cancelled", "canceled", "drop*", "deconnect*", "disconnect*", "fail*", "echoue*", "run out",
        "ran out", "keeps", "nul", "nulle", "bad", "terrible", "horrible", "sans prevenir", "without notice",
        "rembours*", "refund*", "overcharg*", "charged twice", "debite deux fois", "plus d'electricite",
        "plus de courant", "plus de chauffage", "pas de chauffage", "no electricity", "no heating", "no hot water",
        "coupe", "coupee", "dead", "plus rien", "rien ne", "nothing works", "toujours rien", "still nothing",
        "jamais recu", "never received", "never arrived", "pas recu", "not received", "personne ne", "nobody has",
        "no one has", "no reply", "pas de retour",
        "paying for", "actually paying", "je paye pour", "je paie pour", "only getting", "currently getting", "que 2",
        "only 2",
        "impossible", "didn't come", "didn't turn up", "no show", "no-show", "ne sonne plus", "toujours personne",
        "still nobody", "plus de jus", "pas venu", "n'est pas venu", "jamais venu", "never came", "never turned up",
        "for nothing", "pour rien",
        "nobody's come", "nobody came", "no one came", "no one's come", "nobody's called", "nobody called",
        "no one called", "nobody rang", "personne n'est venu", "personne n'a appele", "personne n'a rappele",
        "shocking", "awful", "rubbish", "appalling", "atrocious", "pathetic", "lamentable", "catastrophique",
        "deplorable", "minable", "breaking up", "pixelat*", "pixelis*",
        # a problem said to persist after the team's answer: "c'est toujours là", "still there"
        "c'est toujours la", "est toujours la", "sont toujours la", "toujours present", "toujours presente",
        "it's still there", "is still there", "are still there", "still showing", "still happening",
        "vous coupez", "coupez", "cut us off", "cut me off", "cut off", "on hold", "d'attente", "au telephone pour",
        "on the phone for", "pour apprendre que", "to be told", "to find out that",
        "died", "dead", "mort", "morte", "faux", "fausse", "wrong", "incorrect", "mistake", "not right", "pas bon",
        "pas normal", "anormal", "trop cher", "too much",

        "price rise", "price increase", "price hike", "hausse de prix", "hausse des prix", "augmentation", "augmente",
        "went up", "gone up", "goes up", "plus cher", "more expensive",
        "won't", "wont", "will not", "refuse*", "va pas", "pas heureu*", "pas tres heureu*", "not happy",
        "not very happy", "unhappy", "pas satisfait*", "mecontent*", "dissatisfied", "not pleased", "pas ravi*",
    ),
    # What turns thanks or praise into a request: a question, a complaint, disappointment, irony.
    "request": (
        "pourquoi", "comment", "quand", "est-ce que", "why", "how", "when", "can you", "could you",
        "pouvez-vous", "pouvez vous", "pourriez", "aidez*", "m'aider", "help me", "need help", "please help",
        "can you help", "svp", "stp", "s'il vous plait", "please", "pls", "plz", "besoin", "need",
        "decu*", "disappoint*", "pas content", "not happy", "merci pour rien",
        "thanks for nothing", "cheers for nothing", "merci du peu",


        "any update", "des nouvelles", "du nouveau", "et maintenant", "what now", "so what",
        "where is", "ou est", "ou en est", "still waiting", "toujours en attente", "j'ai toujours", "i still",
        "still have", "still got",








        "pas recu", "not received", "never received",
        "jamais recu",
        "et pour", "and what about", "what about", "question",
        "quick question", "petite question", "est-il possible", "is it possible", "possible de", "possible to",
        "want to", "would like", "voudrais", "souhaite*", "je veux", "i want", "looking for", "je cherche",

        "demenag*", "moving house", "move house", "i'm moving", "je demenage", "ring me", "call me", "rappelez*",
        "contact me", "contactez-moi", "dm me back", "how do i", "comment je", "comment faire", "c'est possible",
        "on fait comment", "what's going on", "que se passe", "qu'est-ce qui se passe", "explain", "expliquer",
        "expliquez",
        "appelez*", "rappelez*", "m'appeler", "me rappeler", "call me", "call me back", "ring me", "give me a call",
        "where", "ou est", "ou sont", "where is", "where are", "where did", "i just want", "je veux juste",
        "i want to", "je voudrais",
        "voici", "voila mon", "here is", "here's my", "heres my", "ci-joint", "ci joint", "attached", "en pj",
        "en piece jointe", "details below", "my number is", "mon numero est", "my account number",
        "mon numero client", "numero client", "customer number", "postcode", "code postal",
        "help", "someone", "anyone", "quelqu'un", "qqn", "par contre", "however", "cependant", "but still",
        "mais toujours", "but now", "mais maintenant", "except that", "sauf que", "mais le", "mais la", "mais les",
        "mais ca", "mais il", "mais elle", "mais je", "but the", "but it", "but i", "but my", "but there",
    ),
    "irony": (
        "merci pour rien", "thanks for nothing", "cheers for nothing", "merci du peu", "encore bravo",
        "well done again", "quel plaisir", "what a joy", "love that", "love how", "love it when", "gotta love",
        "faut adorer", "j'adore quand", "j'adore comment", "comme d'hab", "as usual", "as always", "comme toujours",
        "une fois de plus", "once again", "yet another", "looking into it", "on regarde", "nous regardons",
        "we're on it", "on s'en occupe", "c'est en cours", "still waiting",
        "toujours en attente", "toujours rien", "still nothing",
        "oh wow", "oh great", "oh super", "wow thanks", "great, another", "genial, encore", "super, encore",
        "merci hein", "merci bien hein", "truly world class", "world class", "love paying", "j'adore payer",
        "love being", "j'adore etre", "love waiting", "j'adore attendre", "thanks for the no", "cheers for the no",
        "quel service", "what a service", "bravo pour", "bravo a vous pour", "bien joue pour", "encore merci pour",
        "so helpful", "super helpful", "tres utile", "very helpful", "incredible service", "service incroyable",
        "thanks a bunch", "merci bien hein", "cheers for that", "come and gone", "merci du service",
        "problem is back", "problem's back", "issue is back", "issue's back", "probleme est revenu",
        "souci est revenu", "panne est revenue", "coupure est revenue", "the problem came back", "it came back",
        "c'est reparti pour un tour", "ca recommence", "here we go again",
        # an answer that is no answer: pasted, the same as before ("réponse copiée-collée", "same reply as last time")
        "copie-colle*", "copie colle*", "copier-coller", "copy paste*", "copy-paste*", "copy and paste*",
        "copied and pasted", "same answer", "same reply", "meme reponse", "la meme que", "the same as last",
        "canned response", "reponse automatique", "reponse type",
        # a dry context: the advice already followed, the worst possible moment
        "exactement ce que j'ai fait", "c'est ce que j'ai fait", "ce que j'ai deja fait", "deja fait ca",
        "j'ai deja essaye", "exactly what i did", "that's what i did", "already did that", "already tried that",
        "already done that", "doesn't mention", "does not mention", "ne parle pas de", "ne mentionne pas",
        "the one day", "the one night", "the one time", "le seul jour", "le seul soir", "la seule fois",
        "comme par hasard", "just my luck", "pile pendant", "pile le jour",
        # expectations lowered to nothing: a complaint said deadpan ("would settle for one bar", "je me contenterais")
        "would settle for", "i'd settle for", "id settle for", "i'll settle for", "happy to settle for",
        "je me contenterais", "je me contenterai", "on se contenterait", "on se contenterai", "ca me suffirait",
    ),
}  # fmt: skip

# Irony marks that make thanks words a complaint on their own (eye-rolls, clapping at a problem).
IRONY_EMOJI = frozenset("🙄🙃😒😑🤡😤😡🤬💀🥴😬")
# Worked out from the text rather than listed: an age, a baby's age, a cold room.
OLD_AGE = (
    r"\b(?:[7-9]\d|1[01]\d) ?(?:-? ?ans|yo|y/o|-?years?(?:-old)?|-?year-old)\b"
    r"|\b(?:is|she's|he's|shes|hes|aged|age|agee de|age de|agee|a) (?:[7-9]\d|1[01]\d)\b"
    r"(?! ?(?:€|£|euros?|pounds?|%|mb|gb))"
)
INFANT_AGE = (
    r"(?<!y )\b(?:a|is|of|de|aged|just|only|seulement) (?:\d{1,2}|un|une|one|two|deux|trois|three) "
    r"?(?:semaines?|weeks?|mois|months?|jours|days)(?! (?:ago|que|depuis|sans|without))\b"
)
# "didn't take out", "n'ai jamais signé": disowning an act, whatever the act.
DISOWNED = (
    r"\b(?:didn'?t|did not|never|haven'?t|have not|n'ai (?:jamais|pas|rien)|j'ai (?:jamais|pas|rien)|ai jamais|ai pas|"
    r"ai rien|nobody here|personne ici n'a)\s+"
    r"(?:\w+\s+)?(?:order(?:ed)?|sign(?:ed)?|subscribe[d]?|take out|took out|taken out|agree[d]?|ask(?:ed)? for|"
    r"request(?:ed)?|make|made|place[d]?|authori[sz]ed?|open(?:ed)?|set up|commande|signe|souscrit|demande|"
    r"autorise|accepte|valide|ouvert|fait ca|pris|prise|took|taken|bought|achete|utilise|used|passee?s?|"
    r"effectuee?s?)\b"
)
# "tout le lotissement", "the whole estate": a whole place, whatever its name.
WHOLE_PLACE = (
    r"\b(?:tou(?:t|te|s|tes) (?:le |la |les |l')?|(?:the |our )?(?:whole|entire) (?:of )?(?:the |our |my )?|"
    r"all (?:of )?(?:the |our )?)(?:quartier|lotissement|residence|immeuble|batiment|village|hameau|rue|ville|"
    r"commune|secteur|bourg|cite|zone|avenue|bloc|voisinage|street|estate|block|road|building|village|town|area|"
    r"neighbou?rhood|postcode|close|avenue|city|county|region|flats?|houses|homes|neighbou?rs|voisins)\b"
)
COLD_ROOM = r"(?<![\d.,])(?:1[0-6]|[0-9]|-\d{1,2}) ?(?:°c?|degres|degrees|deg)(?!\w)"
DURATION = r"\b\d+\s*(?:jours?|j|days?|heures?|h|hrs?|hours?|semaines?|sem|weeks?|wks?|mois|months?|ans?|years?)\b"

# Risk recipes: every family of one recipe must be present (a family alone is a strong cue of its own risk).
RISK_RECIPES: dict[str, tuple[tuple[str, ...], ...]] = {
    "fraud": (
        ("fraud",),
        ("scam word", "mine"),
        ("unasked thing", "not me"),
        ("unauthorised", "money"),
        ("moved away", "not me"),
        ("secret", "gave away", "impostor"),
        ("secret", "gave away", "contact channel"),
        ("impostor", "gave away"),
        ("secret", "changed", "not me"),
        ("login", "not me"),
        ("handed over", "impostor"),
        ("handed over", "scam word"),
    ),
    "safety": (
        ("safety",),
        ("gas", "smell or leak"),
        ("street equipment", "exposed or down"),
        ("device", "heat or burn"),
        ("water", "electrics"),
        ("worker", "left unsafe"),
        ("device", "shock"),
        ("spilt on electrics",),
    ),
    "vulnerable": (
        ("vulnerable",),
        ("vulnerable person", "hardship"),
        ("old age", "hardship"),
        ("infant age", "hardship"),
        ("kin", "no heat"),
        ("heating", "cold", "hardship"),
        ("no way to call", "failure"),
        ("health", "health need"),
    ),
    "personal_data": (
        ("personal_data",),
        ("another person", "document"),
        ("my details", "exposure"),
        ("bank secret", "asked me"),
        ("secret", "asked publicly", "asked"),
        ("customer records", "out in the open"),
    ),
    "legal": (("legal",), ("authority", "legal step"), ("press", "press threat"), ("story", "press threat")),
    "outage": (("outage",), ("many places", "failure")),
}

# Families a negation in front cancels ("pas de fumée", "no smell of gas", "not going to sue").
NEGATABLE = frozenset({"fraud", "safety", "vulnerable", "legal", "personal_data", "outage", "smell or leak",
                       "heat or burn", "exposed or down", "left unsafe", "thanks", "praise", "problem", "scam word",
                       "legal step", "hardship", "urgency", "gave away", "shock"})  # fmt: skip

# A service reported as not working, whatever the words: "none of" + a service ("plus de fibre", "zéro réseau",
# "no bars", "pas de 4G ni d'appels"), a service + "out of order" ("fibre en rade", "box HS", "the net is dead"),
# "can't" + using a service ("can't make calls", "impossible de se connecter"), "where is" + a service ("le réseau
# il est où"), or a state that says everything stopped ("plus rien", "aucun service", "nothing since 8").
SERVICE_NOUN = (
    r"(?:internet|(?:l')?(?:la |le |ma |mon )?(?:fibre|fiber|box|wifi|wi-fi|reseau|net|co|connexion|ligne|tonalite|"
    r"tele|television|courant|electricite|elec|gaz|eau|jus|signal|chaines?)|fibre|fiber|broadband|"
    r"wifi|wi-fi|network|signal|reception|coverage|4g|5g|3g|data|calls?|appels?|sms|textos?|texts?|bars?|barres?|"
    r"phone|telephone|telly|landline|fixe|line|dial tone|power|electricity|electric|lights?|gas|water|tv|channels?|"
    r"connection|connexion|app|appli|site|website|heating|chauffage)"
)
# One copy of the nouns serves the four ways a failure is said around a service (a "none of" or "where is" before
# it, an out-of-order state or "where is" after it): `(?(1)...)` asks for a state after the noun only when nothing
# was said before it. Each copy of the nouns costs the import about half a millisecond of compiling.
NONE_OF = (
    r"(?:plus d'|plus de|pas d'|pas de|zero|0|aucune?|no|nae|sans|without|lost(?: all| my| the| our)?|"
    r"perdu (?:le|la|les|l'|mon|ma|mes)|lost|(?:j'?ai|on a|ils ont|y a|ya) plus|"
    r"(?:nothing|rien|nada|nowt)\s+(?:on|sur)\s+(?:my|mon|ma|the|le|la|our)\s)\s?"
)
WHERE_IS = r"(?:ou est|where(?:'s| is)|il est ou|elle est ou)\b[^.?!]{0,20}\b"
OUT_OF_ORDER = (
    r"(?:'s\s+|\s+)(?:\w+\s+){0,2}?(?:est |is |has |a |are |sont )?(?:en rade|hs|h\.s|ko|down|dead|"
    r"mort|morte|coupee?s?|couper|gone|kaput|plante|tombee?|died|cut|cut out|cutting out|a l'arret|inexistante?|"
    r"saute|sauter|lache|stopped|dropped|drops|keeps dropping|rouge|clignote rouge|(?:reboot|redemarre)s? en boucle|"
    r"passent plus|passe plus|ne passent? (?:pas|plus)|won'?t go through|don'?t go through|not going through|"
    r"(?:isn'?t|is not|aren'?t|are not|not|stopped) working|won'?t (?:work|connect|load)|"
    r"(?:ne )?(?:fonctionne|marche)n?t? (?:plus|pas)|capte (?:plus|rien)|indisponible|unavailable)"
    r"|\b[^.?!]{0,12}\b(?:il est ou|elle est ou|est ou)"
)
SERVICE_FAILURE = (
    r"\b(" + NONE_OF + "|" + WHERE_IS + ")?" + SERVICE_NOUN + r"(?(1)\b|(?:" + OUT_OF_ORDER + r")\b)"
    r"|\bvoyant (?:\w+ ){0,2}?(?:rouge|orange|clignote)\b"
    # a fault light on the equipment ("router's flashing amber", "the orange light thing again", "box clignote")
    r"|\b(?:router|routeur|modem|hub|box|decodeur)(?:'s|\s)\s*(?:\w+\s+){0,3}?(?:flashing|blinking|clignote)\b"
    r"|\b(?:flashing |blinking )?(?:red|orange|amber) (?:light|lights|led)\b"
    # an error code on the screen ("code E-302", "erreur T204", "error 500"): the equipment reports a failure
    r"|\b(?:erreur|error|err)(?: code)?\s*:?\s*#?[a-z]{0,2}-?\d{2,4}\b"
    r"|\bcode (?:d'erreur |erreur |error )?[a-z]{1,2}-?\d{2,4}\b"
    r"|\b[a-z]{1,2}-\d{2,4}\b"
    r"|\b(?:ecran noir|black screen|blank screen)\b"
    r"|\b(?:power|electricity|lights|courant)(?:'s| is| are| has gone| went)? out\b"
    r"|\b(?:powers?|power's|electric's) (?:has |have )?(?:just )?(?:went|gone)\b"
    r"|\b(?:en rade|plus rien|a plus rien|ont plus rien|nothing since|nothing at all since|aucun service|"
    r"sos only|says sos|no service|urgence uniquement|appels d'urgence uniquement|emergency calls only|"
    r"hors service|tourne dans le vide|tourne en boucle|spins and spins|just spins|keeps spinning)\b"
    r"|\b(?:can'?t|cannot|can not|unable to|couldn'?t|peux pas|peut pas|pouvons pas|impossible d(?:e |')|"
    r"(?:n'?)?arrive (?:pas|plus) a)\s?"
    r"(?:\w+\s+){0,3}?(?:make calls?|get (?:any )?(?:data|signal|online|a signal|on)|connect|go online|call|"
    r"appeler|capter|me connecter|se connecter|nous connecter|joindre|telephoner|log ?in|sign in|calls?|appels?|"
    r"texts?|sms|textos?|acceder|access|load|charger|stream|watch|regarder)\b"
)

# Someone handed a secret over, whoever they are: "she did put her card in", "j'ai donné mes codes", "il a tapé
# son code", "gave them my sort code", "a communiqué ses identifiants".
HANDED_OVER = (
    r"\b(?:put|puts|putting|entered|entering|typed|typing|gave|given|giving|handed(?: over)?|read out|shared|"
    r"mis|mise|donne|donnee|donner|rentre|rentree|saisi|saisie|tape|tapee|communique|communiquee|transmis|dicte)"
    r"\s+(?:\w+\s+){0,2}?(?:my|her|his|their|our|your|all|the|ma|mon|mes|sa|son|ses|leur|leurs|nos|notre|sa)\s+"
    r"(?:\w+\s+)?(?:card|cards|carte|cb|codes?|details|bank|iban|rib|pin|password|passcode|mot de passe|mdp|"
    r"identifiants?|login|cvv|cryptogramme|sort code|numero de carte|coordonnees)\b"
)
