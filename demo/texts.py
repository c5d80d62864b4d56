"""The demo proposals' words: titles per city and theme, and summaries and bodies that read as
if a resident of the city had written them, in the consultation's language (Spanish, or
Portuguese in Belo Horizonte).

`proposal_text` composes a summary and a Markdown body from the proposal's subject (its title),
its partners, a target group, the author's district, outputs and a short list of activities.
The body names the title, so no two proposals of a consultation read the same. No text names a
date or a year: the plan's years are the consultation's business.
"""
from __future__ import annotations

import random
from dataclasses import dataclass

THEMES = ("urban-sustainability", "inclusive-cities", "attractive-cities")

# Mexico City's proposal titles for its international strategy, per theme.
TITLES_CDMX = {
    "urban-sustainability": [
        "Hermanamiento climático con Montevideo para techos verdes",
        "Red latinoamericana de ciudades esponja contra inundaciones",
        "Intercambio técnico sobre movilidad eléctrica con Medellín",
        "Alianza C40 para calidad del aire en corredores escolares",
        "Laboratorio binacional de economía circular con Lyon",
        "Cooperación con Quito en gestión del riesgo sísmico",
        "Financiamiento verde: ventanilla de bonos climáticos municipales",
        "Programa de reforestación urbana con ciudades de la red",
        "Cuenca de México: diplomacia del agua con ciudades andinas",
        "Observatorio metropolitano de emisiones compartido con Lima",
        "Capacitación en presupuestos climáticos con Eurocities",
        "Transición energética de edificios públicos con apoyo europeo",
        "Mercados de productores locales en la agenda de Milán",
        "Protocolo común de olas de calor para la red de ciudades",
        "Corredores biológicos urbanos: intercambio con Belo Horizonte",
        "Gestión de residuos orgánicos: pasantías en ciudades europeas",
        "Movilidad ciclista: cooperación técnica con Bogotá y Ámsterdam",
        "Plan de adaptación de mercados públicos al cambio climático",
        "Foro internacional de ríos urbanos recuperados",
        "Red de monitoreo ciudadano del agua con universidades socias",
    ],
    "inclusive-cities": [
        "Ventanilla única para personas migrantes y refugiadas",
        "Intercambio sobre cuidados comunitarios con Montevideo",
        "Red de ciudades santuario: protocolo de acogida",
        "Becas de movilidad para jóvenes de alcaldías periféricas",
        "Programa de ciudades seguras para mujeres con ONU-Hábitat",
        "Accesibilidad universal del transporte: asesoría de Barcelona",
        "Vivienda asequible: cooperativas con Uruguay",
        "Formación de liderazgos indígenas en foros internacionales",
        "Escuelas de idiomas gratuitas para personas retornadas",
        "Presupuesto participativo joven con ciudades hermanas",
        "Atlas de desigualdades urbanas con datos abiertos comparables",
        "Red de bibliotecas comunitarias con intercambio de acervos",
        "Salud mental comunitaria: aprendizaje con ciudades europeas",
        "Inclusión digital de personas mayores con Morón",
        "Centros comunitarios para la niñez en zonas de frontera urbana",
        "Derecho a la ciudad: observatorio con la red latinoamericana",
        "Protocolo de atención a personas en situación de calle",
        "Economía social: ferias internacionales de cooperativas",
        "Acogida de estudiantes desplazados por crisis climáticas",
        "Traducción en lenguas indígenas de los servicios municipales",
    ],
    "attractive-cities": [
        "Marca ciudad en ferias internacionales de turismo cultural",
        "Festival iberoamericano de cine en espacios públicos",
        "Oficina de atracción de congresos y convenciones",
        "Residencias artísticas con Belo Horizonte y Quito",
        "Ruta gastronómica patrimonial con ciudades creativas UNESCO",
        "Programa de ciudades hermanas para pequeñas empresas",
        "Centro Histórico: cooperación en gestión de patrimonio",
        "Semana de la innovación con Medellín y Ruta N",
        "Atracción de talento científico con universidades europeas",
        "Corredor cultural latinoamericano de museos comunitarios",
        "Promoción del artesanado en mercados de Europa",
        "Red de destinos deportivos: sede de juegos juveniles",
        "Presencia de la ciudad en la Cumbre de Ciudades y Gobiernos Locales",
        "Plataforma de datos turísticos compartida con la red",
        "Muralismo mexicano en ciudades socias",
        "Intercambio de guías turísticos comunitarios",
        "Ciudad sede de la asamblea anual de la red",
        "Alianza de ciudades del libro y ferias editoriales",
        "Programa de nómadas digitales con impacto local",
        "Coproducciones musicales con Montevideo y Lisboa",
    ],
}

# The other cities' titles: what their residents would ask of their city's place in the world.
CITY_TITLES = {
    "ciudad-de-mexico": TITLES_CDMX,
    "montevideo": {
        "urban-sustainability": [
            "Rambla resiliente: intercambio con Lisboa sobre erosión costera",
            "Compostaje en ferias vecinales con apoyo de FAMSI",
            "Arroyo Miguelete limpio: red de ciudades con ríos urbanos",
            "Ómnibus eléctricos: cooperación técnica con Santiago y Bogotá",
            "Huertas comunitarias en el Cerro con semillas de la red",
            "Playas sin plástico: campaña conjunta con ciudades del Mercosur",
        ],
        "inclusive-cities": [
            "Cooperativas de vivienda por ayuda mutua: escuela abierta a la red",
            "Cuidados para personas mayores: intercambio con Sevilla y FAMSI",
            "Oficina de acogida para personas migrantes recién llegadas",
            "Liceos del oeste en intercambios estudiantiles con Francia",
            "Accesibilidad en el transporte: pasantía con Cités Unies France",
            "Deporte barrial para gurises de Casavalle",
        ],
        "attractive-cities": [
            "Candombe y carnaval en festivales de ciudades hermanas",
            "Mercado Agrícola: vitrina de productores para el turismo regional",
            "Montevideo sede de congresos de software de la región",
            "Ciudad Vieja: patrimonio vivo con apoyo de ciudades europeas",
            "Residencias de cine y animación con Lyon",
            "Puerto y cruceros: acuerdo de promoción con ciudades del Atlántico",
        ],
    },
    "moron": {
        "urban-sustainability": [
            "Arbolado urbano en Castelar con vivero municipal compartido",
            "Reciclado con cooperativas de recuperadores: intercambio con Belo Horizonte",
            "Arroyo Morón: saneamiento con asesoría de ciudades europeas",
            "Bicisendas hacia las estaciones del tren Sarmiento",
        ],
        "inclusive-cities": [
            "Centro de día para personas mayores con apoyo de FAMSI",
            "Becas para estudiantes de Morón en universidades de ciudades socias",
            "Puntos violeta en cada localidad: red de ciudades contra la violencia de género",
            "Talleres de oficios para jóvenes de El Palomar",
        ],
        "attractive-cities": [
            "Feria de emprendedores de Morón en Mercociudades",
            "Circuito histórico de Morón para visitantes de la región",
            "Festival de rock barrial con bandas de ciudades hermanas",
            "Polo gastronómico de Haedo con cocineros invitados",
        ],
    },
    "belo-horizonte": {
        "urban-sustainability": [
            "Parques lineares no Ribeirão Arrudas com apoio de Cités Unies France",
            "Coleta seletiva com cooperativas de catadores: rede com Morón e Montevidéu",
            "Ônibus elétricos no BRT Move: cooperação técnica com Medellín",
            "Hortas urbanas nas escolas da Regional Barreiro",
        ],
        "inclusive-cities": [
            "Restaurantes populares: intercâmbio sobre segurança alimentar com a rede",
            "Acolhimento de migrantes venezuelanos com apoio do FAMSI",
            "Bolsas de intercâmbio para jovens das vilas e favelas",
            "Acessibilidade nas estações do metrô e do BRT",
        ],
        "attractive-cities": [
            "Conjunto da Pampulha: patrimônio da UNESCO em feiras internacionais",
            "Festival de botecos e cozinha mineira com cidades irmãs",
            "Residências artísticas no Viaduto Santa Tereza",
            "Startups do San Pedro Valley em missões à Europa",
        ],
    },
    "quito": {
        "urban-sustainability": [
            "Quebradas vivas: recuperación con apoyo de ciudades andinas",
            "Metro de Quito y bicicleta pública: intercambio con Medellín",
            "Gestión del riesgo volcánico: protocolo común con la red",
            "Mercados sin plástico en el Centro Histórico",
        ],
        "inclusive-cities": [
            "Casa de acogida para personas en movilidad humana",
            "Servicios municipales también en kichwa",
            "Cuidado de la niñez en mercados populares con apoyo de FAMSI",
            "Red de jóvenes quiteños en foros de ciudades",
        ],
        "attractive-cities": [
            "Centro Histórico de Quito: cooperación patrimonial con Sevilla",
            "Ruta del chocolate y del café de altura para visitantes",
            "Quito sede de encuentros de ciudades de montaña",
            "Fiestas de Quito con artistas de ciudades hermanas",
        ],
    },
    "medellin": {
        "urban-sustainability": [
            "Corredores verdes: intercambio con Cités Unies France",
            "Metrocable y movilidad eléctrica: asesoría a ciudades de la red",
            "Río Medellín: monitoreo ciudadano del agua con universidades socias",
            "Huertas en las laderas de San Javier",
        ],
        "inclusive-cities": [
            "Bibliotecas parque: intercambio de acervos con ciudades hermanas",
            "Jóvenes constructores de paz en foros internacionales",
            "Acogida de población migrante con apoyo de FAMSI",
            "Cuidadoras de Manrique en una red latinoamericana de cuidados",
        ],
        "attractive-cities": [
            "Feria de las Flores en mercados de turismo europeos",
            "Startups de Ruta N en misiones a Lyon y Barcelona",
            "Grafitour de San Javier con guías de la comunidad",
            "Medellín sede de encuentros de innovación social",
        ],
    },
    "lima": {
        "urban-sustainability": [
            "Techos verdes en colegios de San Juan de Lurigancho",
            "Atrapanieblas para las lomas con apoyo de la red",
            "Ciclovías hacia las estaciones del Metropolitano",
            "Recuperación del río Rímac con ciudades de ríos urbanos",
        ],
        "inclusive-cities": [
            "Ollas comunes: intercambio con Montevideo sobre cuidados",
            "Acogida de personas migrantes en el Cercado de Lima",
            "Becas de intercambio para jóvenes de Villa El Salvador",
            "Transporte seguro para mujeres con apoyo de FAMSI",
        ],
        "attractive-cities": [
            "Lima gastronómica en ferias internacionales",
            "Balcones del Centro Histórico: restauración con ciudades europeas",
            "Barranco creativo: residencias artísticas con Cités Unies France",
            "Circuito de huacas para visitantes de la región",
        ],
    },
}

#: Partner cities and networks a proposal may name, in each language; the author's own city is
#: left out. The network's European partners, Cités Unies France and FAMSI, come up often.
PARTNERS = {
    "es": ["Ciudad de México", "Montevideo", "Medellín", "Quito", "Lima", "Belo Horizonte",
           "Morón", "Eurocities", "PLATFORMA", "ONU-Hábitat", "C40", "Mercociudades", "CGLU",
           "Barcelona", "Lyon", "Lisboa", "Sevilla"],
    "pt-br": ["Cidade do México", "Montevidéu", "Medellín", "Quito", "Lima", "Morón",
              "Eurocities", "PLATFORMA", "ONU-Habitat", "C40", "Mercocidades", "CGLU",
              "Barcelona", "Lyon", "Lisboa", "Sevilha"],
}
EUROPEAN_PARTNERS = ["Cités Unies France", "FAMSI"]
OWN_NAMES = {"Ciudad de México", "Cidade do México", "Montevideo", "Montevidéu", "Medellín",
             "Quito", "Lima", "Belo Horizonte", "Morón"}


@dataclass(frozen=True)
class Voice:
    """How residents write proposals in one language."""

    openings: list[str]
    roles: list[str]
    why: dict[str, list[str]]
    topics: list[tuple[tuple[str, ...], list[str]]]  # title words → the reasons that fit them
    asks: list[str]
    quoted_asks: list[str]  # for titles with a colon of their own
    groups: list[str]
    activities: dict[str, list[str]]
    outputs: list[str]
    closings: list[str]
    summaries: list[str]
    goals: dict[str, list[str]]
    heading_why: list[str]
    heading_activities: list[str]
    heading_results: list[str]


ES = Voice(
    openings=[
        "Vivo en {district} desde hace {years} años y {why}.",
        "Soy {role} en {district} y {why}.",
        "En la última asamblea vecinal de {district} lo dijimos claro: {why}.",
        "Con otras vecinas de {district} venimos notando que {why}.",
        "Trabajo con {group} en {district} y veo todos los días que {why}.",
        "Nací en {district}. Hoy {why}, y creo que otras ciudades ya resolvieron algo parecido.",
    ],
    roles=["docente de primaria", "comerciante del mercado", "enfermera", "estudiante de la "
           "universidad pública", "jubilado", "arquitecta", "promotora cultural",
           "técnico de una cooperativa", "madre de dos adolescentes", "chofer de transporte"],
    why={
        "urban-sustainability": [
            "cada temporada de lluvias las calles del barrio se inundan",
            "el calor en los patios de las escuelas ya no se aguanta",
            "la basura orgánica termina en el relleno sin aprovecharse",
            "el aire en las horas pico es cada vez peor",
            "los árboles de la avenida se secan y nadie los repone",
            "el arroyo que cruza el barrio sigue contaminado",
        ],
        "inclusive-cities": [
            "muchas familias recién llegadas no saben a qué oficina acudir",
            "las personas mayores del barrio pasan el día solas",
            "los jóvenes no tienen oportunidades de salir a conocer otras ciudades",
            "las mujeres evitan ciertas paradas del transporte al anochecer",
            "quienes cuidan a otros no tienen ningún apoyo",
            "las personas con discapacidad no pueden usar buena parte del transporte",
        ],
        "attractive-cities": [
            "los visitantes no conocen más que dos o tres lugares de la ciudad",
            "los emprendimientos del barrio no llegan a ferias fuera del país",
            "los artistas locales casi no tienen dónde mostrar su trabajo afuera",
            "el patrimonio del barrio se deteriora sin que nadie lo cuente",
            "la ciudad compite por congresos y eventos sin una estrategia",
        ],
    },
    topics=[
        (("agua", "río", "arroyo", "inund", "esponja", "quebrada", "atrapaniebla"),
         ["cada temporada de lluvias las calles del barrio se inundan",
          "el arroyo que cruza el barrio sigue contaminado",
          "en las partes altas todavía hay familias que reciben agua solo algunas horas"]),
        (("rambla", "costera", "playa"),
         ["la costa pierde arena cada invierno y las playas se llenan de plástico"]),
        (("movilidad", "bici", "ómnibus", "metro", "aire", "eléctric", "ciclo", "emisiones"),
         ["el aire en las horas pico es cada vez peor",
          "ir al trabajo en transporte público lleva más de una hora"]),
        (("residuo", "reciclado", "compost", "circular", "plástico", "recuperador"),
         ["la basura orgánica termina en el relleno sin aprovecharse",
          "quienes recuperan materiales trabajan sin ningún reconocimiento"]),
        (("verde", "árbol", "arbolado", "huerta", "reforest", "techos", "calor"),
         ["el calor en los patios de las escuelas ya no se aguanta",
          "los árboles de la avenida se secan y nadie los repone"]),
        (("migrant", "refugi", "acogida", "movilidad humana", "retornad", "desplazad"),
         ["muchas familias recién llegadas no saben a qué oficina acudir"]),
        (("mayores", "cuidado", "cuidadoras", "ollas"),
         ["las personas mayores del barrio pasan el día solas",
          "quienes cuidan a otros no tienen ningún apoyo"]),
        (("jóvenes", "becas", "estudiant", "liceos", "gurises", "niñez", "oficios"),
         ["los jóvenes no tienen oportunidades de salir a conocer otras ciudades"]),
        (("mujeres", "violeta", "género"),
         ["las mujeres evitan ciertas paradas del transporte al anochecer"]),
        (("accesib",),
         ["las personas con discapacidad no pueden usar buena parte del transporte"]),
        (("patrimonio", "histórico", "balcones", "huacas", "ciudad vieja"),
         ["el patrimonio del barrio se deteriora sin que nadie lo cuente"]),
        (("congreso", "sede", "cumbre", "convenciones", "encuentros"),
         ["la ciudad compite por congresos y eventos sin una estrategia"]),
        (("riesgo", "sísmic", "volcán"),
         ["la última vez que tembló nadie en la cuadra sabía qué hacer"]),
        (("vivienda",),
         ["los alquileres suben y las familias jóvenes se van del barrio"]),
        (("indígena", "kichwa", "lenguas"),
         ["muchos vecinos que hablan una lengua indígena no entienden los trámites"]),
        (("biblioteca",),
         ["la biblioteca del barrio abre pocas horas y tiene pocos libros"]),
        (("situación de calle",),
         ["cada invierno hay más personas durmiendo en la calle"]),
        (("turíst", "visitantes", "cruceros", "guías"),
         ["los visitantes no conocen más que dos o tres lugares de la ciudad"]),
        (("artíst", "artista", "cine", "festival", "fiestas", "music", "rock", "candombe",
          "murali", "grafitour"),
         ["los artistas locales casi no tienen dónde mostrar su trabajo afuera"]),
        (("emprend", "empresas", "startups", "feria", "artesan", "gastronóm", "mercado"),
         ["los emprendimientos del barrio no llegan a ferias fuera del país"]),
    ],
    asks=[
        "Propongo lo siguiente: {subject}.",
        "Mi propuesta es concreta: {subject}.",
        "Por eso pido a la ciudad esto: {subject}.",
        "Lo que proponemos desde el barrio: {subject}.",
    ],
    quoted_asks=[
        "Por eso propongo «{title}».",
        "La llamé «{title}», y la idea es sencilla.",
        "De ahí sale esta propuesta, «{title}».",
    ],
    groups=["jóvenes de 15 a 29 años", "mujeres emprendedoras", "personas mayores",
            "comerciantes de mercados", "docentes de escuelas públicas", "personas migrantes",
            "cooperativas de vivienda", "equipos técnicos municipales", "artistas del barrio",
            "familias cuidadoras", "estudiantes universitarios", "organizaciones vecinales"],
    activities={
        "urban-sustainability": [
            "Un diagnóstico del barrio hecho con los vecinos, calle por calle",
            "Dos visitas técnicas a {partner} para ver cómo lo hicieron",
            "Talleres prácticos en escuelas y centros comunitarios",
            "Una obra piloto en {district} que sirva de ejemplo",
            "Un tablero público con las mediciones, actualizado cada mes",
            "Una guía para replicar la experiencia en otros barrios",
        ],
        "inclusive-cities": [
            "Un protocolo de atención acordado con {partner}",
            "Formación para el personal que atiende al público",
            "Encuentros mensuales con {group}",
            "Un intercambio de experiencias con otra ciudad de la red",
            "Materiales en lenguaje claro y en varios idiomas",
            "Un punto de atención fijo en {district}",
        ],
        "attractive-cities": [
            "Un catálogo de lo que el barrio puede ofrecer a visitantes",
            "La participación en una feria o festival con {partner}",
            "Residencias o pasantías para {group}",
            "Una ruta señalizada que pase por {district}",
            "Un calendario compartido con las ciudades hermanas",
            "Capacitación en idiomas y atención al visitante",
        ],
    },
    outputs=[
        "la participación de al menos {n} personas de {district}",
        "un acuerdo de trabajo firmado con {partner}",
        "un informe público de resultados al final de cada año",
        "capacidades que queden instaladas en la administración municipal",
        "un lugar para {group} en las decisiones",
        "una experiencia que otras ciudades de la red puedan copiar",
    ],
    closings=[
        "Se puede empezar en pequeño y crecer si funciona.",
        "Varias organizaciones del barrio ya se ofrecieron a ayudar.",
        "No hace falta inventar nada: otras ciudades ya lo probaron.",
        "Cuento con el apoyo de vecinos que firmaron la idea en la feria.",
        "Me comprometo a dar seguimiento y a contar los avances.",
    ],
    summaries=[
        "{title}: en {district} {why}. Proponemos trabajar con {partner} para {goal}.",
        "Desde {district}: {subject}, junto con {partner}, para {goal}.",
        "Una propuesta vecinal de {district} para {goal}, con {partner} y {group}.",
        "{title}. Porque {why}, pensada para {group} y con el apoyo de {partner}.",
    ],
    goals={
        "urban-sustainability": ["adaptar el barrio al clima que ya tenemos",
                                 "cuidar el agua y el aire", "reducir lo que tiramos"],
        "inclusive-cities": ["que nadie quede afuera", "acompañar a quienes más lo necesitan",
                             "abrir oportunidades a quienes nunca las tuvieron"],
        "attractive-cities": ["mostrar lo mejor del barrio al mundo",
                              "traer visitantes que dejen algo en la ciudad",
                              "dar salida al talento local"],
    },
    heading_why=["## Por qué", "## El problema", "## Lo que vemos en el barrio"],
    heading_activities=["## Qué haríamos", "## Actividades", "## Cómo lo haríamos"],
    heading_results=["## Qué queremos lograr", "## Resultados esperados", "## Para qué"],
)

PT = Voice(
    openings=[
        "Moro na regional {district} há {years} anos e {why}.",
        "Sou {role} na regional {district} e {why}.",
        "Na última reunião da associação de moradores da regional {district} ficou claro: "
        "{why}.",
        "Com outras vizinhas da regional {district} temos percebido que {why}.",
        "Trabalho com {group} na regional {district} e vejo todo dia que {why}.",
        "Nasci na regional {district}. Hoje {why}, e outras cidades já resolveram algo parecido.",
    ],
    roles=["professora da rede municipal", "comerciante do mercado", "enfermeira",
           "estudante da UFMG", "aposentado", "arquiteta", "produtora cultural",
           "técnico de uma cooperativa", "mãe de dois adolescentes", "motorista de ônibus"],
    why={
        "urban-sustainability": [
            "toda época de chuva as ruas do bairro alagam",
            "o calor nos pátios das escolas já não dá para aguentar",
            "o lixo orgânico vai para o aterro sem aproveitamento",
            "o ar nos horários de pico está cada vez pior",
            "as árvores da avenida secam e ninguém repõe",
            "o córrego que atravessa o bairro continua poluído",
        ],
        "inclusive-cities": [
            "muitas famílias recém-chegadas não sabem a qual serviço recorrer",
            "as pessoas idosas do bairro passam o dia sozinhas",
            "os jovens não têm oportunidade de conhecer outras cidades",
            "as mulheres evitam alguns pontos de ônibus à noite",
            "quem cuida dos outros não tem nenhum apoio",
            "as pessoas com deficiência não conseguem usar boa parte do transporte",
        ],
        "attractive-cities": [
            "os visitantes só conhecem dois ou três lugares da cidade",
            "os empreendimentos do bairro não chegam às feiras fora do país",
            "os artistas locais quase não têm onde mostrar seu trabalho lá fora",
            "o patrimônio do bairro se deteriora sem que ninguém conte sua história",
            "a cidade disputa congressos e eventos sem uma estratégia",
        ],
    },
    topics=[
        (("ribeirão", "córrego", "parques lineares", "água"),
         ["toda época de chuva as ruas do bairro alagam",
          "o córrego que atravessa o bairro continua poluído"]),
        (("ônibus", "brt", "metrô", "elétric"),
         ["o ar nos horários de pico está cada vez pior",
          "ir ao trabalho de ônibus leva mais de uma hora"]),
        (("coleta", "catadores", "reciclagem"),
         ["o lixo orgânico vai para o aterro sem aproveitamento",
          "os catadores trabalham sem nenhum reconhecimento"]),
        (("hortas", "árvore", "verde"),
         ["o calor nos pátios das escolas já não dá para aguentar",
          "as crianças não sabem de onde vem a comida"]),
        (("migrantes", "acolhimento"),
         ["muitas famílias recém-chegadas não sabem a qual serviço recorrer"]),
        (("restaurantes populares", "segurança alimentar"),
         ["muita gente do bairro ainda pula refeições no fim do mês"]),
        (("jovens", "bolsas"),
         ["os jovens não têm oportunidade de conhecer outras cidades"]),
        (("acessibilidade",),
         ["as pessoas com deficiência não conseguem usar boa parte do transporte"]),
        (("patrimônio", "pampulha"),
         ["os visitantes só conhecem dois ou três lugares da cidade"]),
        (("festival", "residências", "artíst"),
         ["os artistas locais quase não têm onde mostrar seu trabalho lá fora"]),
        (("startups", "empreend", "feiras", "botecos"),
         ["os empreendimentos do bairro não chegam às feiras fora do país"]),
    ],
    asks=[
        "Proponho o seguinte: {subject}.",
        "Minha proposta é concreta: {subject}.",
        "Por isso peço à Prefeitura: {subject}.",
        "O que propomos a partir do bairro: {subject}.",
    ],
    quoted_asks=[
        "Por isso proponho «{title}».",
        "Chamei a proposta de «{title}», e a ideia é simples.",
        "Daí vem esta proposta, «{title}».",
    ],
    groups=["jovens de 15 a 29 anos", "mulheres empreendedoras", "pessoas idosas",
            "comerciantes dos mercados", "professores das escolas públicas", "pessoas migrantes",
            "catadoras e catadores", "equipes técnicas da Prefeitura", "artistas do bairro",
            "famílias cuidadoras", "estudantes universitários", "associações de moradores"],
    activities={
        "urban-sustainability": [
            "Um diagnóstico do bairro feito com os moradores, rua por rua",
            "Duas visitas técnicas a {partner} para ver como fizeram",
            "Oficinas práticas em escolas e centros comunitários",
            "Uma obra piloto na regional {district} que sirva de exemplo",
            "Um painel público com as medições, atualizado todo mês",
            "Um guia para levar a experiência a outros bairros",
        ],
        "inclusive-cities": [
            "Um protocolo de atendimento combinado com {partner}",
            "Formação para os servidores que atendem o público",
            "Encontros mensais com {group}",
            "Um intercâmbio de experiências com outra cidade da rede",
            "Materiais em linguagem simples e em vários idiomas",
            "Um ponto de atendimento fixo na regional {district}",
        ],
        "attractive-cities": [
            "Um catálogo do que o bairro pode oferecer aos visitantes",
            "A participação em uma feira ou festival com {partner}",
            "Residências ou estágios para {group}",
            "Um roteiro sinalizado que passe pela regional {district}",
            "Um calendário comum com as cidades irmãs",
            "Capacitação em idiomas e atendimento ao visitante",
        ],
    },
    outputs=[
        "a participação de pelo menos {n} pessoas da regional {district}",
        "um acordo de trabalho assinado com {partner}",
        "um relatório público de resultados ao fim de cada ano",
        "capacidades que fiquem na Prefeitura",
        "um lugar para {group} nas decisões",
        "uma experiência que outras cidades da rede possam copiar",
    ],
    closings=[
        "Dá para começar pequeno e crescer se funcionar.",
        "Várias organizações do bairro já se ofereceram para ajudar.",
        "Não é preciso inventar nada: outras cidades já testaram.",
        "Conto com o apoio dos vizinhos que assinaram a ideia na feira.",
        "Eu me comprometo a acompanhar e a contar os avanços.",
    ],
    summaries=[
        "{title}: na regional {district} {why}. Propomos trabalhar com {partner} para {goal}.",
        "Da regional {district}: {subject}, junto com {partner}, para {goal}.",
        "Uma proposta dos moradores da regional {district} para {goal}, com {partner} e "
        "{group}.",
        "{title}. Porque {why}, pensada para {group} e com o apoio de {partner}.",
    ],
    goals={
        "urban-sustainability": ["adaptar o bairro ao clima que já temos",
                                 "cuidar da água e do ar", "reduzir o que jogamos fora"],
        "inclusive-cities": ["que ninguém fique de fora", "acompanhar quem mais precisa",
                             "abrir oportunidades para quem nunca as teve"],
        "attractive-cities": ["mostrar o melhor do bairro ao mundo",
                              "trazer visitantes que deixem algo na cidade",
                              "dar espaço ao talento local"],
    },
    heading_why=["## Por quê", "## O problema", "## O que vemos no bairro"],
    heading_activities=["## O que faríamos", "## Atividades", "## Como faríamos"],
    heading_results=["## O que queremos alcançar", "## Resultados esperados", "## Para quê"],
)

VOICES = {"es": ES, "pt-br": PT}


def voice(language: str) -> Voice:
    return VOICES.get(language, ES)


def titles_for(city_slug: str) -> dict[str, list[str]]:
    return CITY_TITLES.get(city_slug, TITLES_CDMX)


def partners_for(*, language: str, city_name: str, title: str,
                 rng: random.Random) -> list[str]:
    """Two partners, never the author's own city: those the title names first, then others; a
    European partner (Cités Unies France, FAMSI) in about a third of the proposals."""
    names = PARTNERS.get(language, PARTNERS["es"]) + EUROPEAN_PARTNERS
    pool = [name for name in names if name != city_name and name not in _aliases(city_name)]
    named = [name for name in pool if name in title][:2]
    others = rng.sample([name for name in pool if name not in named
                         and name not in EUROPEAN_PARTNERS], 2)
    if rng.random() < 0.35 and not set(named) & set(EUROPEAN_PARTNERS):
        others[0] = rng.choice(EUROPEAN_PARTNERS)
    return (named + others)[:2]


def _aliases(city_name: str) -> set[str]:
    return {"Ciudad de México": {"Cidade do México"}, "Montevideo": {"Montevidéu"}}.get(
        city_name, set())


#: Titles that start with a name keep their capital when they follow a colon.
PROPER_STARTS = ("Montevideo", "Quito", "Lima", "Medellín", "Barranco", "Feria de las Flores")


def _lower_first(title: str) -> str:
    words = title.split()
    if title.startswith(PROPER_STARTS) or (len(words) > 1 and words[1][:1].isupper()):
        return title
    return title[:1].lower() + title[1:]


def _reasons(v: Voice, theme: str, title: str) -> list[str]:
    """The reasons that fit the title's subject, else the theme's."""
    lowered = title.lower()
    fitting = [why for words, whys in v.topics if any(w in lowered for w in words)
               for why in whys]
    return fitting or v.why[theme]


def proposal_text(*, language: str, title: str, theme: str, district: str, partners: list[str],
                  rng: random.Random) -> tuple[str, str]:
    """A summary (at most 500 characters) and a Markdown body, as a resident would write."""
    v = voice(language)
    words = {
        "title": title, "subject": _lower_first(title), "district": district,
        "partner": partners[0], "other_partner": partners[-1],
        "group": rng.choice(v.groups), "role": rng.choice(v.roles),
        "why": rng.choice(_reasons(v, theme, title)), "goal": rng.choice(v.goals[theme]),
        "years": rng.randint(3, 40), "n": rng.choice([40, 60, 80, 120, 150, 200, 300]),
    }
    colon = ":" in title
    summaries = [t for t in v.summaries if not (colon and ":" in t)]
    summary = rng.choice(summaries).format(**words)
    summary = summary[:1].upper() + summary[1:]
    opening = rng.choice(v.openings).format(**words)
    ask = rng.choice(v.quoted_asks if colon else v.asks).format(**words)
    activities = [a.format(**{**words, "partner": rng.choice(partners)})
                  for a in rng.sample(v.activities[theme], rng.randint(3, 4))]
    outputs = [o.format(**words) for o in rng.sample(v.outputs, 2)]
    partner_line = {
        "es": f"Con {words['partner']} y {words['other_partner']} podemos aprender de lo que ya "
              "funcionó en otros lugares.",
        "pt-br": f"Com {words['partner']} e {words['other_partner']} podemos aprender com o que "
                 "já funcionou em outros lugares.",
    }.get(language, "")
    results = {"es": "Esperamos lograr {0} y {1}.", "pt-br": "Esperamos alcançar {0} e {1}."}.get(
        language, "{0}; {1}.").format(*outputs)
    body = "\n".join([
        rng.choice(v.heading_why), "", opening, "", rng.choice(v.heading_activities), "",
        f"{ask} {partner_line}", "",
        *[f"- {activity}." for activity in activities], "",
        rng.choice(v.heading_results), "", f"{results} {rng.choice(v.closings)}", "",
    ])
    return summary[:500], body
